"""The codec: events to plain dicts and JSON, and back, with type tags and schema versions.

An event becomes a dict whose ``"type"`` is its tag (the class name), dates are
EDTF strings, and fields equal to their default are left out. A stored record
wraps an event with its schema version ``"v"``; records written by an older
version are upgraded on read by the upcasters (``upcast_v{n}_v{n+1}``), so old
logs always load.

Build converters with `make_converter`; cattrs's global converter is never touched.
"""

from __future__ import annotations

import difflib
import json
import sys
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from chronos._fast.decode import FastDecoder
from chronos._fast.encode import FastEncoder
from chronos.dates import FuzzyDate, parse_date
from chronos.errors import ChronosError, RecordError, UnknownEventType, did_you_mean, shown
from chronos.events import EVENT_TYPES, Event, RosterEntry, Source

__all__ = [
    "MAX_EVENT_BYTES",
    "SCHEMA_VERSION",
    "UPCASTERS",
    "Codec",
    "make_converter",
]

#: The schema version this code writes.
SCHEMA_VERSION: Final = 1
#: The largest event, as compact JSON in UTF-8, that is read from text or appended.
MAX_EVENT_BYTES: Final = 1 << 20

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

#: ``UPCASTERS[n]`` turns a version-n event dict into a version n+1 one.
#: Version 1 is the first, so there is nothing to upgrade yet; the mechanism
#: is exercised by the tests with a synthetic older version.
UPCASTERS: dict[int, Upcaster] = {}


def make_converter(types: Mapping[str, type[Event]] | None = None) -> cattrs.Converter:
    """A cattrs converter for events, with tags looked up in ``types`` (default: all registered)."""
    registry = EVENT_TYPES if types is None else types
    conv = _Converter(omit_if_default=True, forbid_extra_keys=True)
    conv.register_unstructure_hook(FuzzyDate, str)
    conv.register_structure_hook(FuzzyDate, lambda value, _: _date(value))
    # A log repeats its ids, file names and quotes: share one copy of each string,
    # and one Source per distinct citation, instead of one per event.
    conv.register_structure_hook(str, lambda value, _: _text(value))
    # cattrs would take bool("no") as true: only JSON's own true and false are flags.
    conv.register_structure_hook(bool, lambda value, _: _flag(value))
    sources: weakref.WeakValueDictionary[tuple[Any, ...], Source] = weakref.WeakValueDictionary()
    plain_source = make_dict_structure_fn(Source, conv, _cattrs_forbid_extra_keys=True)

    def structure_source(value: Any, _: type) -> Source:
        if isinstance(value, Mapping):
            key = (value.get("source"), value.get("quote"), value.get("locator"), len(value))
            if all(isinstance(k, str | int | None) for k in key):
                found = sources.get(key)
                if found is None:
                    found = sources[key] = plain_source(value, Source)
                return found
        return plain_source(value, Source)

    conv.register_structure_hook(Source, structure_source)

    # Sources and roster entries unstructure to the list cattrs's own hook makes, by a list
    # comprehension rather than list() of a generator: every appended event has sources.
    def listed(cl: Any) -> Callable[[Any], list[Any]]:
        element = conv.get_unstructure_hook(cl.__args__[0])
        return lambda items: [element(item) for item in items]

    conv.register_unstructure_hook_factory(lambda cl: cl in _LISTED, listed)

    unstructurers: dict[type, Callable[[Any], dict[str, Any]]] = {}
    shapes: dict[type, _Shape] = {}

    def unstructure_event(event: Event) -> dict[str, Any]:
        cls = type(event)
        fn = unstructurers.get(cls)
        if fn is None:
            fn = unstructurers[cls] = make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True)
        return {"type": cls.__name__, **fn(event)}

    def structure_event(data: Any, declared: type) -> Event:
        if not isinstance(data, Mapping):
            raise RecordError(f"an event must be a JSON object, not {type(data).__name__}")
        tag = data.get("type")
        cls = registry.get(tag) if isinstance(tag, str) else None
        if cls is None:
            raise UnknownEventType(f"unknown event type {tag!r}" + _near(str(tag), list(registry)))
        if declared is not Event and not issubclass(cls, declared):
            raise RecordError(f"expected a {declared.__name__} event, got {tag!r}")
        shape = shapes.get(cls)
        if shape is None:
            shape = shapes[cls] = _Shape.of(cls, conv)
        body = dict(data)
        del body["type"]
        if not (shape.required <= body.keys() <= shape.fields):
            shape.explain(str(tag), body)
        try:
            return shape.structure(body, cls)
        except ChronosError as exc:
            raise type(exc)(f"{tag}: {exc}") from None
        except cattrs.BaseValidationError as exc:
            inner, path = _first_chronos_error(exc)
            if inner is not None:
                raise type(inner)(f"{tag}: {path}{inner}") from None
            leaf = _first_leaf(exc)
            if isinstance(leaf, ValueError):  # an attrs validator: its message names the field
                raise RecordError(f"{tag}: {leaf}") from None
            raise RecordError(f"{tag}: " + "; ".join(cattrs.transform_error(exc))) from None
        except (TypeError, ValueError) as exc:
            raise RecordError(f"{tag}: {exc}") from None

    conv.register_unstructure_hook_func(_is_event_class, unstructure_event)
    conv.register_structure_hook_func(_is_event_class, structure_event)
    conv.own_hooks = conv.unstructure_hooks
    return conv


class _Converter(cattrs.Converter):
    """cattrs' converter, counting the unstructuring hooks registered on it.

    `Codec.plain_dict` repeats what this module's hooks make, so it stands
    aside once anyone registers another (``own_hooks`` is the count
    `make_converter` left).
    """

    unstructure_hooks = 0
    own_hooks = -1

    def register_unstructure_hook(self, *args: Any, **kwargs: Any) -> Any:
        self.unstructure_hooks += 1
        return super().register_unstructure_hook(*args, **kwargs)

    def register_unstructure_hook_func(self, *args: Any, **kwargs: Any) -> Any:
        self.unstructure_hooks += 1
        return super().register_unstructure_hook_func(*args, **kwargs)

    def register_unstructure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        self.unstructure_hooks += 1
        return super().register_unstructure_hook_factory(*args, **kwargs)

    def own(self) -> bool:
        """True while the converter unstructures events only as `make_converter` made it."""
        return (
            self.unstructure_hooks == self.own_hooks
            and "unstructure" not in vars(self)
            and type(self).unstructure is cattrs.Converter.unstructure
            and not self.type_overrides
            and not self.use_alias
        )


#: The field types `make_converter` unstructures by a list comprehension.
_LISTED: Final = (tuple[Source, ...], tuple[RosterEntry, ...])


@attrs.frozen
class _Shape:
    """What one event class accepts, and its generated (fast) structuring function."""

    fields: frozenset[str]
    required: frozenset[str]
    structure: Callable[[dict[str, Any], type], Event]

    @classmethod
    def of(cls, event_class: type[Event], conv: cattrs.Converter) -> _Shape:
        init = [f for f in attrs.fields(event_class) if f.init]
        return cls(
            frozenset(f.name for f in init),
            frozenset(f.name for f in init if f.default is attrs.NOTHING),
            make_dict_structure_fn(event_class, conv, _cattrs_forbid_extra_keys=True),
        )

    def explain(self, tag: str, body: dict[str, Any]) -> None:
        """Raise the error naming the first unexpected or missing field."""
        for key in body:
            if key not in self.fields:
                raise RecordError(f"{tag}: unexpected field {key!r}" + _near(key, sorted(self.fields)))
        missing = sorted(self.required - body.keys())
        raise RecordError(f"{tag}: missing field {missing[0]!r}")


def _is_event_class(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Event)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise RecordError(f"expected text, not {shown(value)}")
    return sys.intern(value)


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise RecordError(f"expected true or false, not {shown(value)}")
    return value


def _date(value: Any) -> FuzzyDate:
    if isinstance(value, FuzzyDate):
        return value
    return parse_date(value)


def _first_chronos_error(exc: BaseException, path: str = "") -> tuple[ChronosError | None, str]:
    """The first `ChronosError` inside a cattrs error, and the field path leading to it (``"a: "``)."""
    if isinstance(exc, ChronosError):
        return exc, path
    for inner in getattr(exc, "exceptions", ()):
        step = path
        for note in getattr(inner, "__notes__", ()):
            name = getattr(note, "name", None)
            if isinstance(name, str | int):
                step = f"{path}{name}: "
                break
        found, where = _first_chronos_error(inner, step)
        if found is not None:
            return found, where
    return None, path


def _first_leaf(exc: BaseException) -> BaseException:
    inner = getattr(exc, "exceptions", ())
    return _first_leaf(inner[0]) if inner else exc


def _near(value: str, candidates: list[str]) -> str:
    near = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return did_you_mean(near[:1])


class Codec:
    """Events to dicts and JSON text and back, with schema versions and upcasting."""

    def __init__(
        self,
        *,
        types: Mapping[str, type[Event]] | None = None,
        upcasters: Mapping[int, Upcaster] | None = None,
        version: int = SCHEMA_VERSION,
    ):
        self.converter = make_converter(types)
        self.upcasters = UPCASTERS if upcasters is None else upcasters
        self.version = version
        self._fast = FastDecoder(EVENT_TYPES if types is None else types)
        self._encoder = FastEncoder()

    def to_dict(self, event: Event) -> dict[str, Any]:
        """The plain-dict form of an event, with its ``"type"`` tag."""
        result: dict[str, Any] = self.converter.unstructure(event, Event)
        return result

    def plain_dict(self, event: Event) -> dict[str, Any] | None:
        """`to_dict`, when it holds only exact str, bool, list and str-keyed dict; else None.

        Made without cattrs for the common shapes of the built-in kinds
        (`chronos._fast.encode`), and only while `to_dict` and the converter
        are this module's own; None says nothing about the event: `to_dict`
        then encodes it (or fails) as it always does.
        """
        encode = self.plain_encoder()
        return None if encode is None else encode(event)

    def plain_encoder(self) -> Callable[[Event], dict[str, Any] | None] | None:
        """`plain_dict` without its checks of the converter, for a batch; None when it would give None."""
        converter = self.converter
        if (
            type(self).to_dict is not Codec.to_dict
            or type(converter) is not _Converter
            or not converter.own()
        ):
            return None
        return self._encoder.encode

    def from_dict(self, data: Any, *, version: int | None = None) -> Event:
        """The event a dict describes, upgraded from ``version`` when it is older.

        Raises `RecordError` (or `UnknownEventType`, `DateError`) naming the
        offending value.
        """
        if type(data) is dict and (version is None or version == self.version):
            fast = self._fast.decode(data)
            if fast is not None:
                return fast
        if not isinstance(data, Mapping):
            raise RecordError(f"an event must be a JSON object, not {type(data).__name__}")
        data = self.upcast(dict(data), version if version is not None else self.version)
        event: Event = self.converter.structure(data, Event)
        return event

    def upcast(self, data: dict[str, Any], version: int) -> dict[str, Any]:
        """Run the upcasters from ``version`` to the current version."""
        if not isinstance(version, int) or isinstance(version, bool) or version > self.version:
            raise RecordError(f"unsupported schema version {version!r} (this chronos writes {self.version})")
        while version < self.version:
            step = self.upcasters.get(version)
            if step is None:
                raise RecordError(f"no upcaster from schema version {version} to {version + 1}")
            data = step(data)
            version += 1
        return data

    def dumps(self, event: Event) -> str:
        """Compact JSON for one event."""
        return json.dumps(self.to_dict(event), ensure_ascii=False, separators=(",", ":"))

    def loads(self, text: str) -> Event:
        """The event in a JSON text, read strictly (`loads_strict`)."""
        return self.from_dict(loads_strict(text))


def loads_strict(text: str | bytes, *, limit: int = MAX_EVENT_BYTES) -> Any:
    """JSON as RFC 8259 has it, and nothing more: every problem is one `RecordError` line.

    Refused, where `json.loads` would accept them or fail with some other
    exception: a key twice in one object (json keeps the last), ``NaN`` and
    ``Infinity``, lone surrogates, integers too long to convert, nesting too
    deep for the parser, and texts over ``limit`` characters.
    """
    if len(text) > limit:
        raise RecordError(f"{len(text):,} characters, more than the {limit:,} an event may take")
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise RecordError(f"malformed JSON: {exc.msg} at column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise RecordError("malformed JSON: nested too deeply") from None


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise RecordError(f"malformed JSON: the key {shown(key)} appears twice in one object")
        _no_surrogates(key)
        found[key] = _no_surrogates(value) if type(value) is str else value
    return found


def _no_surrogates(text: str) -> str:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RecordError(
                f"malformed JSON: {shown(text)} holds a lone surrogate (U+{ord(text[exc.start]):04X})"
            ) from None
    return text


def _constant(name: str) -> Any:
    raise RecordError(f"malformed JSON: {name} is not a JSON number")


def _int(text: str) -> int:
    if len(text) > 100:
        raise RecordError(f"malformed JSON: a number of {len(text):,} digits")
    return int(text)
