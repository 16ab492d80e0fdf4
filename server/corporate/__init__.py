"""Corporate accounts: organisations that pay for their employees' movement, their rosters,
packages, invoices, administrators and the consents behind any individual reporting."""
