"""Errors raised while reading a spec or building the model."""


def escape_token(token):
    """Escapes one JSON-pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token):
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens):
    """Builds a URI-fragment JSON pointer ("#/a/b~1c") from raw tokens."""
    return "#" + "".join("/" + escape_token(t) for t in tokens)


def child(ptr, *tokens):
    """Extends a pointer ("#/a") with raw tokens."""
    return ptr + "".join("/" + escape_token(t) for t in tokens)


class GeneratorError(Exception):
    """Any failure that must stop generation (exit code 2)."""

    def __init__(self, message, ptr=None):
        self.message = message
        self.ptr = ptr
        super().__init__(self.render())

    def render(self):
        if self.ptr:
            return "error: %s at %s" % (self.message, self.ptr)
        return "error: %s" % self.message


class UnsupportedError(GeneratorError):
    """The spec uses a construct this generator does not handle."""

    def __init__(self, construct, ptr):
        self.construct = construct
        super().__init__("unsupported " + construct, ptr)


class SpecError(GeneratorError):
    """The spec is malformed (bad $ref target, missing field, ...)."""

    def __init__(self, message, ptr=None):
        super().__init__("invalid spec: " + message, ptr)
