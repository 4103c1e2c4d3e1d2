"""HTTP plumbing shared by every API function: resolver factory, envelope, errors, auth."""
