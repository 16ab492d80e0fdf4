"""What companies pay: corporate packages (plans and journeys for a pool of seats, and the
split of each seat's fee between the company and the employee) and the monthly invoices
per cost centre, with the usage that explains them."""
