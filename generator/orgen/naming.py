"""Turning spec names into C identifiers."""
import re

C_KEYWORDS = frozenset("""
auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Alignas _Alignof
_Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert
_Thread_local bool true false NULL alignas alignof noreturn static_assert
thread_local complex imaginary errno asm typeof offsetof
and and_eq bitand bitor catch char8_t char16_t char32_t class co_await co_return
co_yield compl concept consteval constexpr constinit const_cast decltype delete
dynamic_cast explicit export friend mutable namespace new noexcept not not_eq
nullptr operator or or_eq private protected public reinterpret_cast requires
static_cast template this throw try typeid typename using virtual wchar_t xor
xor_eq
""".split())  # C11, then C++17/20: the public headers compile as C++ too

_CAMEL1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def snake(name):
    """camelCase / PascalCase / kebab-case / anything -> snake_case."""
    s = _CAMEL1.sub(r"\1_\2", str(name))
    s = _CAMEL2.sub(r"\1_\2", s)
    s = _NON_ALNUM.sub("_", s).strip("_").lower()
    return re.sub(r"_+", "_", s)


def header_snake(name):
    """HTTP header names are lower-cased without splitting camel humps:
    X-OpenRouter-Title -> x_openrouter_title."""
    s = _NON_ALNUM.sub("_", str(name)).strip("_").lower()
    return re.sub(r"_+", "_", s)


def c_ident(base):
    """Makes a valid, non-keyword C identifier from a snake_case string."""
    s = base or "field"
    if s[0].isdigit():
        s = "n_" + s
    if s in C_KEYWORDS:
        s = s + "_"
    return s


def unique(name, taken):
    """Returns `name`, or name_2, name_3, ... whichever is not in `taken`,
    and records it."""
    candidate = name
    n = 2
    while candidate in taken:
        candidate = "%s_%d" % (name, n)
        n += 1
    taken.add(candidate)
    return candidate


def enum_constant(text):
    """Enum value text -> the upper-case tail of its constant name."""
    s = snake(text).upper()
    if not s:
        s = "EMPTY"
    return s


def c_string_literal(text):
    """Contents of a C string literal (no quotes) for UTF-8 `text`."""
    out = []
    for b in str(text).encode("utf-8"):
        c = chr(b)
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "?":
            out.append("\\?")  # no trigraphs
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return "".join(out)


def doc_lines(text, width=70):
    """Description text -> list of lines safe inside a C block comment."""
    if not text:
        return []
    text = str(text).replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?")
    lines = []
    for para in re.split(r"\n\s*\n", text.strip()):
        words = para.split()
        cur = ""
        for w in words:
            if cur and len(cur) + 1 + len(w) > width:
                lines.append(cur)
                cur = w
            else:
                cur = w if not cur else cur + " " + w
        if cur:
            lines.append(cur)
        lines.append("")
    # No line splice: a backslash never ends a line.
    lines = [line + " " if line.endswith("\\") else line for line in lines]
    while lines and lines[-1] == "":
        lines.pop()
    return lines
