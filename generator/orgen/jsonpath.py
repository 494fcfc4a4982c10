"""JSONPath (RFC 9535) for overlay targets: a documented subset, pure stdlib.

Supported: the root `$`; child segments (`.name`, `.*`, `[...]` with one or
more comma-separated selectors); descendant segments (`..name`, `..*`,
`..[...]`); name selectors ('single' or "double" quoted, with the RFC's
escapes), wildcards, indices (negative from the end), slices
(`start:end:step`) and filters (`?expr`). Filter expressions: existence tests
of relative (`@`) and absolute (`$`) queries, comparisons (`==`, `!=`, `<`,
`<=`, `>`, `>=`) between literals, singular queries and `length(...)`, with
`&&`, `||`, `!` and parentheses, following the RFC's semantics (an absent
value is Nothing, distinct from null; `<` orders only numbers and strings).

Not supported, rejected with a message saying so: the function extensions
other than length() (count, match, search, value and any other name).
Every malformed or ill-typed query is an error too, as the RFC requires.

    compile("$.paths[*].get").find(document)  -> [Node(value, path), ...]

A node's path is a tuple of member names and array indices from the root;
normalized_path() spells it the RFC's way ("$['paths']['/keys']").
"""

I_JSON_MAX = 2 ** 53 - 1
_BLANK = " \t\n\r"
_NOTHING = object()  # the RFC's "Nothing": no value at all (not null)
_SUPPORTED_FUNCTIONS = ("length",)
_KNOWN_FUNCTIONS = ("count", "match", "search", "value")


class JSONPathError(Exception):
    """A query this module does not accept: malformed, ill-typed or using
    an unsupported construct."""

    def __init__(self, message, query=None, pos=None):
        self.query, self.pos = query, pos
        where = "" if query is None else " in %r" % query
        if pos is not None and query is not None:
            where += " at offset %d" % pos
        super().__init__("JSONPath: %s%s" % (message, where))


class Node:
    """A value and its location (tuple of names and indices from the root)."""

    __slots__ = ("value", "path")

    def __init__(self, value, path):
        self.value = value
        self.path = path

    def __repr__(self):
        return "Node(%s)" % normalized_path(self.path)


def compile(query):  # noqa: A001 (the usual name for this)
    """Parses `query`; raises JSONPathError when it is not accepted."""
    if not isinstance(query, str):
        raise JSONPathError("query is not a string")
    return Query(query, _Parser(query).parse_query())


class Query:
    def __init__(self, text, segments):
        self.text = text
        self._segments = segments

    def find(self, value):
        """The nodelist of this query applied to `value`, in RFC order."""
        return _run(self._segments, [Node(value, ())], value)


def normalized_path(path):
    """The RFC 9535 Normalized Path of a location tuple."""
    out = ["$"]
    for step in path:
        if isinstance(step, int):
            out.append("[%d]" % step)
        else:
            out.append("['%s']" % "".join(_normal_char(c) for c in step))
    return "".join(out)


def _normal_char(c):
    named = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
             "'": "\\'", "\\": "\\\\"}
    if c in named:
        return named[c]
    if ord(c) < 0x20:
        return "\\u%04x" % ord(c)
    return c


# ---- evaluation ---------------------------------------------------------------
# Selectors pick (member name or index, value) pairs from a value. The query
# keeps locations; queries inside filters need only values, so they skip
# building paths.

def _run(segments, nodes, root):
    for descendant, selectors in segments:
        out = []
        for node in nodes:
            visit = _descendant_nodes(node) if descendant else (node,)
            for n in visit:
                for sel in selectors:
                    out.extend(Node(v, n.path + (k,)) for k, v in sel.pick(n.value, root))
        nodes = out
    return nodes


def _run_values(segments, values, root):
    for descendant, selectors in segments:
        out = []
        for value in values:
            for v in (_descendant_values(value) if descendant else (value,)):
                for sel in selectors:
                    out.extend(x for _, x in sel.pick(v, root))
        values = out
    return values


def _items(v):
    if isinstance(v, list):
        return enumerate(v)
    if isinstance(v, dict):
        return v.items()
    return ()


def _descendant_nodes(node):
    """The node, then its descendants, depth first, in document order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed([Node(v, n.path + (k,)) for k, v in _items(n.value)]))


def _descendant_values(value):
    stack = [value]
    while stack:
        v = stack.pop()
        yield v
        stack.extend(reversed([x for _, x in _items(v)]))


class _Name:
    def __init__(self, name):
        self.name = name

    def pick(self, v, root):
        if isinstance(v, dict) and self.name in v:
            return ((self.name, v[self.name]),)
        return ()


class _Wildcard:
    @staticmethod
    def pick(v, root):
        return _items(v)


class _Index:
    def __init__(self, index):
        self.index = index

    def pick(self, v, root):
        if not isinstance(v, list):
            return ()
        i = self.index + len(v) if self.index < 0 else self.index
        return ((i, v[i]),) if 0 <= i < len(v) else ()


class _Slice:
    def __init__(self, start, end, step):
        self.start, self.end, self.step = start, end, step

    def pick(self, v, root):
        if not isinstance(v, list) or self.step == 0:
            return ()
        n = len(v)
        step = 1 if self.step is None else self.step

        def norm(i):
            return i if i >= 0 else n + i
        if step > 0:
            lo = min(max(norm(self.start if self.start is not None else 0), 0), n)
            hi = min(max(norm(self.end if self.end is not None else n), 0), n)
            idx = range(lo, hi, step)
        else:
            hi = min(max(norm(self.start if self.start is not None else n - 1), -1), n - 1)
            lo = min(max(norm(self.end if self.end is not None else -n - 1), -1), n - 1)
            idx = range(hi, lo, step)
        return [(i, v[i]) for i in idx]


class _Filter:
    def __init__(self, expr):
        self.expr = expr

    def pick(self, v, root):
        return [(k, x) for k, x in _items(v) if self.expr.test(x, root)]


# Filter expressions: test(current value, root) -> bool; comparables value(...).

class _Or:
    def __init__(self, parts):
        self.parts = parts

    def test(self, cur, root):
        return any(p.test(cur, root) for p in self.parts)


class _And(_Or):
    def test(self, cur, root):
        return all(p.test(cur, root) for p in self.parts)


class _Not:
    def __init__(self, inner):
        self.inner = inner

    def test(self, cur, root):
        return not self.inner.test(cur, root)


class _Exists:
    def __init__(self, query):
        self.query = query

    def test(self, cur, root):
        return bool(self.query.nodes(cur, root))


class _Compare:
    def __init__(self, left, op, right):
        self.left, self.op, self.right = left, op, right

    def test(self, cur, root):
        a, b = self.left.value(cur, root), self.right.value(cur, root)
        if self.op == "==":
            return json_equal(a, b)
        if self.op == "!=":
            return not json_equal(a, b)
        if self.op == "<":
            return _less(a, b)
        if self.op == "<=":
            return _less(a, b) or json_equal(a, b)
        if self.op == ">":
            return _less(b, a)
        return _less(b, a) or json_equal(a, b)  # >=


class _Literal:
    def __init__(self, v):
        self.v = v

    def value(self, cur, root):
        return self.v


class _SubQuery:
    """`@...` or `$...` inside a filter."""

    def __init__(self, relative, segments, singular):
        self.relative, self.segments, self.singular = relative, segments, singular

    def nodes(self, cur, root):
        return _run_values(self.segments, [cur if self.relative else root], root)

    def value(self, cur, root):
        found = self.nodes(cur, root)
        return found[0] if found else _NOTHING


class _Length:
    def __init__(self, arg):
        self.arg = arg

    def value(self, cur, root):
        v = self.arg.value(cur, root)
        if isinstance(v, (str, list, dict)):
            return len(v)
        return _NOTHING


def _kind(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "nothing"


def json_equal(a, b):
    """Equality of JSON values as RFC 9535 defines it (true is not 1)."""
    if a is _NOTHING or b is _NOTHING:
        return a is b
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return False
    if ka == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if ka == "object":
        return set(a) == set(b) and all(json_equal(a[k], b[k]) for k in a)
    return a == b


def _less(a, b):
    ka, kb = _kind(a), _kind(b)
    return ka == kb and ka in ("number", "string") and a < b


# ---- parsing ------------------------------------------------------------------

class _Parser:
    def __init__(self, text):
        self.s = text
        self.i = 0

    def fail(self, message, pos=None):
        raise JSONPathError(message, self.s, self.i if pos is None else pos)

    def peek(self, n=1):
        return self.s[self.i:self.i + n]

    def eat(self, token):
        if self.s.startswith(token, self.i):
            self.i += len(token)
            return True
        return False

    def blank(self):
        while self.i < len(self.s) and self.s[self.i] in _BLANK:
            self.i += 1

    def parse_query(self):
        if not self.eat("$"):
            self.fail("a query starts with '$'")
        segments = self.segments()
        if self.i != len(self.s):
            self.fail("unexpected %r" % self.s[self.i])
        return segments

    def segments(self):
        """Zero or more segments; stops (without consuming blanks) where the
        next thing is not a segment."""
        out = []
        while True:
            save = self.i
            self.blank()
            if self.peek(2) == "..":
                self.i += 2
                out.append((True, self.after_dots()))
            elif self.peek() == ".":
                self.i += 1
                out.append((False, [self.shorthand()]))
            elif self.peek() == "[":
                out.append((False, self.bracketed()))
            else:
                self.i = save
                return out

    def after_dots(self):
        if self.peek() == "[":
            return self.bracketed()
        return [self.shorthand()]

    def shorthand(self):
        if self.eat("*"):
            return _Wildcard()
        start = self.i
        while self.i < len(self.s) and _name_char(self.s[self.i], self.i == start):
            self.i += 1
        if self.i == start:
            self.fail("expected a member name or '*' after '.'")
        return _Name(self.s[start:self.i])

    def bracketed(self):
        self.eat("[")
        selectors = []
        while True:
            self.blank()
            selectors.append(self.selector())
            self.blank()
            if self.eat("]"):
                return selectors
            if not self.eat(","):
                self.fail("expected ',' or ']'")

    def selector(self):
        c = self.peek()
        if c in ("'", '"'):
            return _Name(self.string())
        if c == "*":
            self.i += 1
            return _Wildcard()
        if c == "?":
            self.i += 1
            self.blank()
            return _Filter(self.logical())
        if c == ":" or c == "-" or _digit(c):
            return self.index_or_slice()
        self.fail("expected a selector")

    def index_or_slice(self):
        parts, current = [], None
        while True:
            self.blank()
            if self.peek() == "-" or _digit(self.peek()):
                current = self.integer()
                self.blank()
            if self.eat(":"):
                parts.append(current)
                current = None
                if len(parts) > 2:
                    self.fail("a slice has at most two ':'")
                continue
            break
        if not parts:
            if current is None:
                self.fail("expected an index")
            return _Index(current)
        parts.append(current)
        while len(parts) < 3:
            parts.append(None)
        return _Slice(*parts)

    def integer(self):
        start = self.i
        self.eat("-")
        digits = self.i
        while _digit(self.peek()):
            self.i += 1
        text = self.s[start:self.i]
        if self.i == digits or (self.s[digits] == "0" and (self.i - digits > 1 or digits > start)):
            self.fail("bad integer %r (no leading zeros, no -0)" % text, start)
        value = int(text)
        if abs(value) > I_JSON_MAX:
            self.fail("integer %s is outside the I-JSON range" % text, start)
        return value

    def string(self):
        quote = self.s[self.i]
        start = self.i
        self.i += 1
        out = []
        while True:
            if self.i >= len(self.s):
                self.fail("unterminated string", start)
            c = self.s[self.i]
            self.i += 1
            if c == quote:
                return "".join(out)
            if c == "\\":
                out.append(self.escape(quote))
            elif ord(c) < 0x20:
                self.fail("control character in a string", self.i - 1)
            else:
                out.append(c)

    def escape(self, quote):
        c = self.peek()
        self.i += 1
        simple = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/",
                  "\\": "\\", quote: quote}
        if c in simple:
            return simple[c]
        if c != "u":
            self.fail("bad escape '\\%s'" % c, self.i - 2)
        code = self.hex4()
        if 0xD800 <= code <= 0xDBFF:
            if not (self.eat("\\u")):
                self.fail("high surrogate without a low surrogate")
            low = self.hex4()
            if not 0xDC00 <= low <= 0xDFFF:
                self.fail("high surrogate without a low surrogate")
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        elif 0xDC00 <= code <= 0xDFFF:
            self.fail("lone low surrogate")
        return chr(code)

    def hex4(self):
        text = self.s[self.i:self.i + 4]
        if len(text) != 4 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
            self.fail("bad \\u escape")
        self.i += 4
        return int(text, 16)

    # -- filter expressions --

    def logical(self):
        return self.chain("||", self.conjunction, _Or)

    def conjunction(self):
        return self.chain("&&", self.basic, _And)

    def chain(self, op, operand, combine):
        """operand (op operand)*: `||` binds less tightly than `&&`."""
        parts = [operand()]
        while True:
            save = self.i
            self.blank()
            if self.eat(op):
                self.blank()
                parts.append(operand())
            else:
                self.i = save
                return parts[0] if len(parts) == 1 else combine(parts)

    def basic(self):
        if self.eat("!"):
            self.blank()
            if self.eat("("):
                return _Not(self.paren())
            operand, kind = self.operand()
            if kind == "value":
                self.fail("'!' applies to a test or a parenthesised expression")
            return _Not(self.as_test(operand, kind))
        if self.eat("("):
            return self.paren()
        start = self.i
        left, kind = self.operand()
        save = self.i
        self.blank()
        op = self.comparison_op()
        if op is None:
            self.i = save
            if kind == "value":
                self.fail("a literal or length() is not a test; compare it", start)
            return self.as_test(left, kind)
        self.blank()
        right_start = self.i
        right, right_kind = self.operand()
        return _Compare(self.comparable(left, kind, start), op,
                        self.comparable(right, right_kind, right_start))

    def paren(self):
        self.blank()
        inner = self.logical()
        self.blank()
        if not self.eat(")"):
            self.fail("expected ')'")
        return inner

    def comparison_op(self):
        for op in ("==", "!=", "<=", ">=", "<", ">"):
            if self.eat(op):
                return op
        return None

    def as_test(self, operand, kind):
        if kind == "query":
            return _Exists(operand)
        self.fail("not well-typed: length() gives a value, which cannot be a test")

    def comparable(self, operand, kind, pos, where="a comparison"):
        if kind == "query" and not operand.singular:
            self.fail("not well-typed: %s takes a singular query (names and indices "
                      "only)" % where, pos)
        return operand

    def operand(self):
        """A query ("query"), a literal or a ValueType function ("value")."""
        c = self.peek()
        if c in ("@", "$"):
            self.i += 1
            segments = self.segments()
            singular = all(not d and len(sels) == 1 and isinstance(sels[0], (_Name, _Index))
                           for d, sels in segments)
            return _SubQuery(c == "@", segments, singular), "query"
        if c in ("'", '"'):
            return _Literal(self.string()), "value"
        if c == "-" or _digit(c):
            return _Literal(self.number()), "value"
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.s.startswith(word, self.i) and not _name_char(self.peek_at(len(word)), False):
                self.i += len(word)
                return _Literal(val), "value"
        if c.isalpha() and c.islower():
            return self.function(), "value"
        self.fail("expected a query, a literal or a function")

    def peek_at(self, offset):
        j = self.i + offset
        return self.s[j] if j < len(self.s) else ""

    def number(self):
        start = self.i
        self.eat("-")
        if not _digit(self.peek()):
            self.fail("bad number", start)
        if self.eat("0") and _digit(self.peek()):
            self.fail("bad number (leading zero)", start)
        self.digits()
        is_float = False
        if self.eat("."):
            is_float = True
            if not self.digits():
                self.fail("bad number (digits must follow '.')", start)
        if self.peek() in ("e", "E"):
            is_float = True
            self.i += 1
            if self.peek() in ("+", "-"):
                self.i += 1
            if not self.digits():
                self.fail("bad number (exponent)", start)
        text = self.s[start:self.i]
        return float(text) if is_float else int(text)

    def digits(self):
        start = self.i
        while _digit(self.peek()):
            self.i += 1
        return self.i > start

    def function(self):
        start = self.i
        while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] == "_"):
            self.i += 1
        name = self.s[start:self.i]
        if not self.eat("("):
            self.fail("expected a query, a literal or a function", start)
        if name not in _SUPPORTED_FUNCTIONS:
            what = "function extension" if name in _KNOWN_FUNCTIONS else "unknown function"
            self.fail("unsupported %s %s(): this JSONPath subset has length() only"
                      % (what, name), start)
        self.blank()
        arg_start = self.i
        arg, kind = self.operand()
        self.blank()
        if not self.eat(")"):
            self.fail("length() takes one argument")
        return _Length(self.comparable(arg, kind, arg_start, "length()"))


def _name_char(c, first):
    if not c:
        return False
    if c == "_" or ord(c) >= 0x80 or ("a" <= c.lower() <= "z"):
        return True
    return not first and "0" <= c <= "9"


def _digit(c):
    return len(c) == 1 and "0" <= c <= "9"
