"""Orders: checkout from the cart, lifecycle, seller views."""
