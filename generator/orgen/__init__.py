"""openrouter-c code generator: OpenAPI (YAML/JSON) -> C descriptor tables."""
