"""Activities imported from wearables and outdoor-activity files, read without a database."""
