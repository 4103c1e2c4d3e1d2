"""Products, their listing and search index, and product reviews."""
