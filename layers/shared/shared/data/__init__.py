"""Data access over the single table (PynamoDB). Only this package and the repositories build keys."""
