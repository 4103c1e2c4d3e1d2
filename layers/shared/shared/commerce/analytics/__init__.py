"""Marketplace analytics: daily rollups kept by a consumer of the table stream, and the admin
dashboard read from them."""
