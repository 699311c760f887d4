"""Config handling that runs before torch is imported: paths, schema, validation."""
