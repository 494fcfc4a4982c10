"""OpenAPI Overlay 1.0 documents: reading them and applying their actions.

An overlay is `overlay: 1.0.x`, `info: {title, version}` and an ordered list
of actions, each a JSONPath `target` (see jsonpath.py) with either `update`
or `remove: true`. Actions apply in order, each to the result of the one
before. This project also requires a `description` on every action (why it
exists), so a stale action can be reported by what it was for.

  update  The target must select objects or arrays. An object is merged with
          the update object, recursively: nested objects merge, an array in
          the update appends its entries to the array it meets, anything
          else replaces the value. An array target gets the update appended
          as one entry. An entry equal to one the array already has is not
          added again (OpenAPI's arrays are sets: required, enum,
          parameters, tags).
  remove  Every selected node leaves the object or array holding it.

An action is stale when it selects nothing, or when applying it changes
nothing: in both cases the description it was written for usually already
has what it adds.
"""
import copy
import re

from . import jsonpath, load
from .errors import GeneratorError

_VERSION = re.compile(r"^1\.0\.\d+$")
_ACTION_KEYS = ("target", "description", "update", "remove")


class OverlayError(GeneratorError):
    """A malformed overlay, or an action that cannot apply."""


class Action:
    def __init__(self, source, index, target, description, update, remove):
        self.source = source          # overlay file label, e.g. spec/overlays/10-names.yaml
        self.index = index            # 1-based position in the file
        self.target = target
        self.description = description
        self.update = update
        self.remove = remove
        self.query = jsonpath.compile(target)

    @property
    def label(self):
        summary = self.description.strip().splitlines()[0]
        if len(summary) > 90:
            summary = summary[:87] + "..."
        return "%s, action %d (%s)" % (self.source, self.index, summary)


class Overlay:
    def __init__(self, source, title, version, actions):
        self.source = source
        self.title = title
        self.version = version
        self.actions = actions


class Result:
    """What one action did: how many nodes it selected and whether it
    changed the document."""

    def __init__(self, action, matched, changed):
        self.action = action
        self.matched = matched
        self.changed = changed

    @property
    def stale(self):
        return self.matched == 0 or not self.changed

    @property
    def reason(self):
        if self.matched == 0:
            return "its target matches nothing"
        return "it changes nothing" if not self.changed else ""


def read(path, source=None):
    """Reads and checks an overlay file; `source` names it in messages."""
    data, _ = load.read_document(path)
    return parse(data, source or path)


def parse(data, source):
    def bad(message):
        raise OverlayError("%s: %s" % (source, message))
    if not isinstance(data, dict):
        bad("an overlay is a YAML or JSON object")
    for key in data:
        if key not in ("overlay", "info", "extends", "actions") and not str(key).startswith("x-"):
            bad("unknown field %r" % key)
    if not isinstance(data.get("overlay"), str) or not _VERSION.match(data["overlay"]):
        bad("'overlay' must be a 1.0.x version string")
    info = data.get("info")
    if not isinstance(info, dict) or not all(isinstance(info.get(k), str) for k in ("title", "version")):
        bad("'info' needs a title and a version")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        bad("'actions' must be a non-empty list")
    return Overlay(source, info["title"], info["version"],
                   [_parse_action(a, source, i + 1, bad) for i, a in enumerate(actions)])


def _parse_action(a, source, index, bad):
    where = "action %d: " % index
    if not isinstance(a, dict):
        bad(where + "not an object")
    for key in a:
        if key not in _ACTION_KEYS and not str(key).startswith("x-"):
            bad(where + "unknown field %r" % key)
    if not isinstance(a.get("target"), str) or not a["target"].startswith("$"):
        bad(where + "'target' must be a JSONPath starting with '$'")
    if not isinstance(a.get("description"), str) or not a["description"].strip():
        bad(where + "every action needs a 'description' saying why it exists")
    remove = a.get("remove", False)
    if not isinstance(remove, bool):
        bad(where + "'remove' must be true or false")
    if remove == ("update" in a):
        bad(where + "give either 'update' or 'remove: true'")
    try:
        return Action(source, index, a["target"], a["description"], a.get("update"), remove)
    except jsonpath.JSONPathError as exc:
        bad(where + str(exc))


def apply(document, overlay):
    """Applies every action of `overlay` to `document` (in place); returns
    one Result per action."""
    return [apply_action(document, action) for action in overlay.actions]


def apply_action(document, action):
    nodes = _unique(action.query.find(document))
    if action.remove:
        return Result(action, len(nodes), _remove(document, nodes, action))
    changed = False
    for node in nodes:
        if isinstance(node.value, dict):
            if not isinstance(action.update, dict):
                raise OverlayError("%s: the target %s is an object, so 'update' must be one"
                                   % (action.label, jsonpath.normalized_path(node.path)))
            changed = _merge(node.value, action.update) or changed
        elif isinstance(node.value, list):
            changed = _append(node.value, action.update) or changed
        else:
            raise OverlayError("%s: the target %s is neither an object nor an array"
                               % (action.label, jsonpath.normalized_path(node.path)))
    return Result(action, len(nodes), changed)


def _unique(nodes):
    seen, out = set(), []
    for n in nodes:
        if n.path not in seen:
            seen.add(n.path)
            out.append(n)
    return out


def _merge(target, update):
    changed = False
    for key, value in update.items():
        current = target.get(key, _ABSENT)
        if isinstance(current, dict) and isinstance(value, dict):
            changed = _merge(current, value) or changed
        elif isinstance(current, list) and isinstance(value, list):
            for entry in value:
                changed = _append(current, entry) or changed
        elif current is _ABSENT or not jsonpath.json_equal(current, value):
            target[key] = copy.deepcopy(value)
            changed = True
    return changed


def _append(array, entry):
    if any(jsonpath.json_equal(x, entry) for x in array):
        return False
    array.append(copy.deepcopy(entry))
    return True


def _remove(document, nodes, action):
    by_container = {}
    for node in nodes:
        if not node.path:
            raise OverlayError("%s: cannot remove the whole document" % action.label)
        container = _at(document, node.path[:-1])
        by_container.setdefault(id(container), (container, []))[1].append(node.path[-1])
    for container, keys in by_container.values():
        # Highest index first, so earlier removals do not shift later ones.
        for key in sorted(keys, reverse=True) if isinstance(container, list) else keys:
            del container[key]
    return bool(nodes)


def _at(document, path):
    node = document
    for step in path:
        node = node[step]
    return node


_ABSENT = object()
