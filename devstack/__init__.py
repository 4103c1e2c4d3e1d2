"""Developer tooling (never deployed): read template.yaml, create its resources, run the local stack."""
