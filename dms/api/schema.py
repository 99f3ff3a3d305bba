"""OpenAPI post-processing: document the error body every operation can answer with, and that an empty
query parameter (as an HTML filter form sends it) means "no filter"."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a stable machine code, a message for people, per-field messages.",
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "detail": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True},
        "data": {"type": "object", "additionalProperties": True},
    },
    "required": ["code", "detail"],
}

ERROR_STATUSES = {
    "400": "The request is malformed or a field is not valid.",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "Your role may not perform this operation.",
    "404": "No such object, or it is outside what you may see.",
    "405": "This method is not allowed here.",
    "409": "The request conflicts with the current state (a business rule or a concurrent request).",
    "422": "The request is well formed but breaks a business rule.",
    "429": "Too many requests; retry later.",
}


# Text fields refuse the NUL character (PostgreSQL cannot store it); say so in the contract.
NO_NUL = "^[^\\x00]*$"


def _forbid_nul(schema) -> None:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not ({"pattern", "format", "enum"} & set(schema)):
        schema["pattern"] = NO_NUL
    for key in ("properties",):
        for child in schema.get(key, {}).values():
            _forbid_nul(child)
    if isinstance(schema.get("items"), dict):
        _forbid_nul(schema["items"])


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in schemas.items():
        if not name.endswith("Enum"):
            _forbid_nul(component)
    schemas["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
                if parameter.get("in") == "query":
                    _forbid_nul(parameter.get("schema"))
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
