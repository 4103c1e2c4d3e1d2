"""Commerce: categories, sellers, products, reviews, uploads (and later cart, orders, payments)."""
