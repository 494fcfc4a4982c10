"""Paged list operations: the `x-openrouter-pagination` operation extension.

    x-openrouter-pagination:
      style: offset          # the only style: the next page starts at offset + items
      offset_param: offset   # an integer query parameter of the operation
      page_size: 100         # items in a full page; a shorter page is the last
      items: data            # array-of-objects property of the success body
      id: hash               # string property of an item that identifies it

For such an operation the templates emit, besides the plain function,
`<fn>_iter` (new / next / free), `<fn>_each` (the loop in one condition)
and `<fn>_all`, thin wrappers over the
runtime's openrouter_pager_* engine (runtime/src/pager.c) fed with a
openrouter_pagination_desc table. The operation must be a GET without a
request body.

`parse()` is called from model.py while the operation is built (it checks
everything the spec says); `context()` from render.py once C names exist.
"""
from .errors import SpecError, UnsupportedError, child

EXTENSION = "x-openrouter-pagination"
_KEYS = ("style", "offset_param", "page_size", "items", "id")


class Pagination:
    def __init__(self, ptr, offset_param, page_size, items_field, item_obj, id_field):
        self.ptr = ptr
        self.offset_param = offset_param  # model.Param
        self.page_size = page_size
        self.items_field = items_field    # model.Field of the success body
        self.item_obj = item_obj          # model.ObjectDef of one item
        self.id_field = id_field          # model.Field of the item


def _field(obj, json_name):
    for f in obj.fields:
        if f.json_name == json_name:
            return f
    return None


def parse(node, op, op_ptr):
    """Returns a Pagination for the operation, or None without the extension."""
    ext = node.get(EXTENSION)
    if ext is None:
        return None
    ptr = child(op_ptr, EXTENSION)
    if not isinstance(ext, dict):
        raise SpecError("%s must be a mapping" % EXTENSION, ptr)
    unknown = sorted(set(map(str, ext)) - set(_KEYS))
    if unknown:
        raise SpecError("unknown %s key %s" % (EXTENSION, unknown[0]), child(ptr, unknown[0]))
    for key in _KEYS:
        if key not in ext:
            raise SpecError("%s needs %s" % (EXTENSION, key), ptr)
    if ext["style"] != "offset":
        raise UnsupportedError("pagination style %r" % (ext["style"],), child(ptr, "style"))
    if op.method != "GET" or op.body is not None:
        raise UnsupportedError("pagination of an operation that is not a GET without body", ptr)

    size = ext["page_size"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise SpecError("page_size must be a positive integer", child(ptr, "page_size"))

    name = ext["offset_param"]
    param = next((p for p in op.params if p.location == "query" and p.name == name), None)
    if param is None:
        raise SpecError("offset_param %r is not a query parameter of the operation" % (name,),
                        child(ptr, "offset_param"))
    if param.tref.kind not in ("int32", "int64"):
        raise UnsupportedError("offset_param of type %s (needs an integer)" % param.tref.kind,
                               child(ptr, "offset_param"))

    if op.out is None or not hasattr(op.out, "fields"):  # none, or a union
        raise SpecError("a paged operation needs a JSON object success body", ptr)
    items = _field(op.out, ext["items"])
    if items is None or items.tref.kind != "array" or items.tref.item.kind != "object":
        raise SpecError("items %r is not an array-of-objects property of the success body"
                        % (ext["items"],), child(ptr, "items"))
    item_obj = items.tref.item.obj
    id_field = _field(item_obj, ext["id"])
    if id_field is None or id_field.tref.kind != "string":
        raise SpecError("id %r is not a string property of the items" % (ext["id"],),
                        child(ptr, "id"))
    return Pagination(ptr, param, size, items, item_obj, id_field)


def idents(prefix, op_name):
    """Global C identifiers a paged operation adds."""
    base = "%s_%s" % (prefix, op_name)
    return [base + s for s in ("_iter", "_iter_new", "_iter_next", "_iter_free", "_each", "_all",
                               "_pagination")]


def context(op, prefix):
    """Template context of `op`'s pagination (None when it has none); its
    identifiers (idents()) are settled with the operation's (orgen/names.py)."""
    pg = getattr(op, "pagination", None)
    if pg is None:
        return None
    return {
        "iter": "%s_%s_iter" % (prefix, op.name),
        "all": "%s_%s_all" % (prefix, op.name),
        "each": "%s_%s_each" % (prefix, op.name),
        "desc": "%s_%s_pagination" % (prefix, op.name),
        "offset_cname": pg.offset_param.c_name,
        "offset_wire": pg.offset_param.name,
        "page": "%s_%s" % (prefix, op.out.name),
        "items_cname": pg.items_field.c_name,
        "items_json": pg.items_field.json_name,
        "item": "%s_%s" % (prefix, pg.item_obj.name),
        "id_cname": pg.id_field.c_name,
        "id_json": pg.id_field.json_name,
        "page_size": pg.page_size,
    }
