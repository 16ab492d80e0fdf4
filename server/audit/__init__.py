"""The audit log: who changed what, when and from where; never the values changed."""
