"""Placeholder parsing, validation and rendering for SMS templates (pure Python, no Django).

Guangdong's 大集中 work-injury system writes SMS templates with *bare* placeholder codes inside
Chinese text, e.g. ``尊敬的 XM 先生/女士,你好, 您办理的YWMC在SLSJ受理成功。``. This module turns such
content into literal text and placeholder segments once (``parse``), reports problems that must
stop a save (``validate``), and fills the segments with values many times (``render``).

The vocabulary is data, not code: a province may register more codes, so every function takes the
vocabulary as an argument, either a mapping ``code -> 中文含义`` or a set of codes.
``DEFAULT_VOCABULARY`` holds the 13 codes of the 大集中 system for reference data and tests.

Decisions worth knowing:

* A bare run is a maximal run of ASCII capitals ``A``–``Z`` only. Digits, lowercase letters,
  full-width letters, ``_`` and everything else end it, so ``XMabc`` is ``XM`` then ``abc`` and
  ``SLSJ2024`` is ``SLSJ`` then ``2024``. Codes containing digits or ``_`` can therefore only be
  used in the explicit ``{CODE}`` form.
* A run that cannot be split entirely into codes stays literal text; if a code hides inside it
  (``HOLIDAY`` holds ``DAY``) a warning says so, and the author can write ``HOLI{DAY}`` instead.
* There is no escape for sending a code itself as text: a run that is a code is a placeholder.
* An unknown explicit code (``{ABC}``) is an error, kept in the segments as literal text so that
  the segments always cover the source exactly.
* Character positions in messages are 1-based (what an author counts); ``start``/``end`` are
  0-based Python string offsets, ``end`` exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from core import masking

__all__ = [
    "DEFAULT_VOCABULARY",
    "ID_NUMBER_CODES",
    "PLACEHOLDER",
    "TEXT",
    "Diagnostic",
    "ParsedTemplate",
    "Rendered",
    "Segment",
    "Substitution",
    "Vocabulary",
    "parse",
    "render",
    "render_content",
    "segments_for_length",
    "validate",
]

Vocabulary = Mapping[str, str] | Set[str]

DEFAULT_VOCABULARY: Mapping[str, str] = MappingProxyType(
    {
        "XM": "姓名",
        "SFZH": "身份证号码",
        "YWMC": "业务名称",
        "SLSJ": "受理时间",
        "CZYJ": "终止意见",
        "DAY": "剩余几天办理时间",
        "CZYJP": "中止意见",
        "JBJG": "经办机构",
        "SLHZH": "受理回执号",
        "SHBTGYJ": "审核不通过意见",
        "DYXSKSNY": "待遇享受开始年月",
        "ZCDADDRESS": "转出地经办地名称",
        "CBR": "参保人姓名",
    }
)

# Codes whose values are 身份证号码 and get the ID-number mask (first and last characters kept, see
# core.masking); a parameter of render() so a province that registers another ID-number code can
# mask it too.
ID_NUMBER_CODES: frozenset[str] = frozenset({"SFZH"})

TEXT: Literal["text"] = "text"
PLACEHOLDER: Literal["placeholder"] = "placeholder"

# Standard SMS sizes for UCS-2 (Chinese) text: one message holds 70 characters; a concatenated
# message loses 3 characters per part to the reassembly header.
SINGLE_SMS_CHARS = 70
MULTIPART_SMS_CHARS = 67

_CODE_RE = re.compile(r"[A-Z][A-Z0-9_]*")
_BARE_CODE_RE = re.compile(r"[A-Z]+")
# The explicit form is tried first at a "{", so "{XM}" is never also read as a bare run.
_TOKEN_RE = re.compile(r"\{([A-Z][A-Z0-9_]*)\}|[A-Z]+")


@dataclass(frozen=True, slots=True)
class Segment:
    """A slice of template source: literal text, or one placeholder code."""

    kind: Literal["text", "placeholder"]
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in a template; errors must stop a save, warnings are shown to the author."""

    severity: Literal["error", "warning"]
    code: str
    message: str
    start: int
    end: int
    # The placeholder codes involved (e.g. the codes hidden inside a word), for UIs and tests.
    found_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedTemplate:
    """The result of ``parse``: contiguous segments covering the source, plus diagnostics."""

    segments: tuple[Segment, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    source: str = ""
    # Precomputed render plan (see __post_init__), kept out of equality and repr.
    _head: str = field(init=False, repr=False, compare=False)
    _plan: tuple[tuple[str, str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Render is the hot path: flatten segments into "head text, then (code, following text,
        # len(following text))" once, so render never branches on segment kinds.
        head: list[str] = []
        plan: list[tuple[str, list[str]]] = []
        for segment in self.segments:
            if segment.kind == PLACEHOLDER:
                plan.append((segment.value, []))
            elif plan:
                plan[-1][1].append(segment.value)
            else:
                head.append(segment.value)
        flat = []
        for code, texts in plan:
            following = "".join(texts)
            flat.append((code, following, len(following)))
        object.__setattr__(self, "_head", "".join(head))
        object.__setattr__(self, "_plan", tuple(flat))

    @property
    def codes(self) -> tuple[str, ...]:
        """Placeholder codes used, in order of first use, each once."""
        return tuple(dict.fromkeys(s.value for s in self.segments if s.kind == PLACEHOLDER))

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that must stop a save."""
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Diagnostics worth showing but not blocking."""
        return tuple(d for d in self.diagnostics if d.severity == "warning")


@dataclass(frozen=True, slots=True)
class Substitution:
    """Where a placeholder's value landed in the rendered text (offsets into ``Rendered.text``)."""

    code: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered SMS: text, where each value went, its length and billed SMS segment count."""

    text: str
    substitutions: tuple[Substitution, ...]
    length: int
    segments: int


@dataclass(frozen=True)
class _CompiledVocabulary:
    codes: frozenset[str]
    bare_codes: frozenset[str]
    # Distinct lengths of bare codes, longest first: the order segmentation tries them in.
    lengths: tuple[int, ...]
    meanings: Mapping[str, str]


def _compile(vocabulary: Vocabulary) -> _CompiledVocabulary:
    if isinstance(vocabulary, str):
        # A str is a Set-like iterable of characters; accepting it would silently mean
        # "every single letter is a code".
        raise TypeError("vocabulary must be a mapping of code -> meaning or a set of codes, not a str")
    if isinstance(vocabulary, Mapping):
        return _compile_cached(frozenset(vocabulary.items()))
    return _compile_cached(frozenset((code, "") for code in vocabulary))


@lru_cache(maxsize=64)
def _compile_cached(items: frozenset[tuple[str, str]]) -> _CompiledVocabulary:
    meanings = dict(items)
    for code in meanings:
        if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
            # Anything else could never be written as {CODE}, so it would be unusable.
            raise ValueError(f"placeholder code {code!r} must match [A-Z][A-Z0-9_]*")
    codes = frozenset(meanings)
    bare = frozenset(c for c in codes if _BARE_CODE_RE.fullmatch(c))
    lengths = tuple(sorted({len(c) for c in bare}, reverse=True))
    return _CompiledVocabulary(codes, bare, lengths, MappingProxyType(meanings))


def _segment_run(run: str, vocab: _CompiledVocabulary) -> list[str] | None:
    """Split ``run`` entirely into codes, longest code first at each position; None if impossible.

    Taking at each position the longest code after which the rest can still be covered gives the
    greedy longest-match split whenever that one works, and otherwise the first split a
    longest-first backtracking search would find, without backtracking's exponential worst case
    or recursion depth (runs can be thousands of letters long).
    """
    n = len(run)
    bare = vocab.bare_codes
    lengths = vocab.lengths
    coverable = [False] * (n + 1)
    coverable[n] = True
    for i in range(n - 1, -1, -1):
        for length in lengths:
            end = i + length
            if end <= n and coverable[end] and run[i:end] in bare:
                coverable[i] = True
                break
    if not coverable[0]:
        return None
    parts = []
    i = 0
    while i < n:
        for length in lengths:
            end = i + length
            if end <= n and coverable[end] and run[i:end] in bare:
                parts.append(run[i:end])
                i = end
                break
    return parts


def _codes_inside(run: str, vocab: _CompiledVocabulary) -> tuple[str, ...]:
    """Codes occurring as substrings of ``run``, by first position, longer first at a tie."""
    found = []
    for code in vocab.bare_codes:
        index = run.find(code)
        if index >= 0:
            found.append((index, -len(code), code))
    return tuple(code for _, _, code in sorted(found))


def _describe(code: str, vocab: _CompiledVocabulary) -> str:
    meaning = vocab.meanings.get(code)
    return f"“{code}”（{meaning}）" if meaning else f"“{code}”"


def _tokens(content: str, vocab: _CompiledVocabulary) -> Iterator[Segment | Diagnostic]:
    """Placeholder segments and diagnostics in source order; literal text is what lies between."""
    for match in _TOKEN_RE.finditer(content):
        start, end = match.span()
        explicit = match.group(1)
        if explicit is not None:
            if explicit in vocab.codes:
                yield Segment(PLACEHOLDER, explicit, start, end)
            else:
                yield Diagnostic(
                    "error",
                    "unknown_explicit_code",
                    f"第 {start + 1} 个字符处的“{match.group(0)}”不是已登记的占位符代码。",
                    start,
                    end,
                    (explicit,),
                )
            continue
        run = match.group(0)
        parts = [run] if run in vocab.bare_codes else _segment_run(run, vocab)
        if parts is not None:
            offset = start
            for code in parts:
                yield Segment(PLACEHOLDER, code, offset, offset + len(code))
                offset += len(code)
            continue
        inside = _codes_inside(run, vocab)
        if inside:
            named = "、".join(_describe(code, vocab) for code in inside)
            yield Diagnostic(
                "warning",
                "contains_code_in_word",
                f"第 {start + 1} 个字符处的“{run}”含有占位符代码{named}，但整个词不能拆分为占位符，"
                f"将按原文发送；如需替换，请写成“{{{inside[0]}}}”的形式。",
                start,
                end,
                inside,
            )


def parse(content: str, vocabulary: Vocabulary) -> ParsedTemplate:
    """Split template content into literal text and placeholder segments, with diagnostics."""
    vocab = _compile(vocabulary)
    segments: list[Segment] = []
    diagnostics: list[Diagnostic] = []
    text_start = 0  # start of the literal text not yet emitted
    for token in _tokens(content, vocab):
        if isinstance(token, Diagnostic):
            # The offending source stays literal text; it is simply not consumed here.
            diagnostics.append(token)
            continue
        if token.start > text_start:
            segments.append(Segment(TEXT, content[text_start : token.start], text_start, token.start))
        segments.append(token)
        text_start = token.end
    if text_start < len(content):
        segments.append(Segment(TEXT, content[text_start:], text_start, len(content)))
    return ParsedTemplate(tuple(segments), tuple(diagnostics), content)


def validate(content: str, vocabulary: Vocabulary, max_length: int = 500) -> tuple[Diagnostic, ...]:
    """All diagnostics for saving ``content``: empty, too long, plus the parse diagnostics."""
    found: list[Diagnostic] = []
    if not content.strip():
        found.append(Diagnostic("error", "empty_template", "短信模板内容不能为空。", 0, len(content)))
    if len(content) > max_length:
        found.append(
            Diagnostic(
                "error",
                "too_long",
                f"短信模板共 {len(content)} 个字符，超过上限 {max_length} 个字符。",
                max_length,
                len(content),
            )
        )
    found.extend(parse(content, vocabulary).diagnostics)
    return tuple(found)


def segments_for_length(n: int) -> int:
    """Billed SMS count for ``n`` UCS-2 characters: 0 for none, 1 up to 70, then ceil(n / 67)."""
    if n < 0:
        raise ValueError("length cannot be negative")
    if n == 0:
        return 0
    if n <= SINGLE_SMS_CHARS:
        return 1
    return -(-n // MULTIPART_SMS_CHARS)


def render(
    parsed: ParsedTemplate,
    values: Mapping[str, str],
    *,
    mask_id_number: bool = True,
    mask_names: Set[str] = frozenset(),
    missing: str = "",
    id_number_codes: Set[str] = ID_NUMBER_CODES,
) -> Rendered:
    """Fill a parsed template with ``values``; masks ID numbers and chosen names; missing → ``missing``.

    Masks are those of ``core.masking``, shared with lists and exports: a masked name is its surname
    and two stars, so a masked value may be shorter or longer than the value itself.
    """
    # Callers refuse to save templates with errors; if one is rendered anyway, its unknown
    # explicit codes are sent as the literal text they are in the segments.
    id_codes = id_number_codes if mask_id_number else frozenset()
    masked = id_codes | mask_names if mask_names else id_codes
    get = values.get
    head = parsed._head
    parts = [head]
    substitutions = []
    position = len(head)
    for code, following, following_length in parsed._plan:
        value = get(code)
        if value is None:
            # The stand-in for a missing value is not personal data: never masked.
            value = missing
        elif code in masked:
            value = masking.mask_id_number(value) if code in id_codes else masking.mask_name(value)
        end = position + len(value)
        substitutions.append(Substitution(code, position, end))
        parts.append(value)
        parts.append(following)
        position = end + following_length
    text = "".join(parts)
    return Rendered(text, tuple(substitutions), position, segments_for_length(position))


def render_content(
    content: str,
    values: Mapping[str, str],
    vocabulary: Vocabulary,
    *,
    mask_id_number: bool = True,
    mask_names: Set[str] = frozenset(),
    missing: str = "",
    id_number_codes: Set[str] = ID_NUMBER_CODES,
) -> Rendered:
    """Parse then render in one call; for repeated sends parse once and call ``render``."""
    return render(
        parse(content, vocabulary),
        values,
        mask_id_number=mask_id_number,
        mask_names=mask_names,
        missing=missing,
        id_number_codes=id_number_codes,
    )
