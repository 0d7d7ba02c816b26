"""Render/parse throughput of SMS templates; run on demand: ``python tests/benchmarks/bench_sms_render.py``.

Named bench_*.py so pytest (which collects test_*.py) never runs it. Target: >= 100,000 renders/s
of a pre-parsed 200-character template with 6 placeholder codes.
"""

import sys
import time
from pathlib import Path

# Runnable as a plain script from the project root or anywhere else.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sms_templates.placeholders import DEFAULT_VOCABULARY, parse, render  # noqa: E402

TARGET_RENDERS_PER_SECOND = 100_000
RUNS = 5
RENDERS_PER_RUN = 200_000
PARSES_PER_RUN = 20_000


def _template() -> str:
    """A 200-character template with 6 codes, padded with a realistic reminder sentence."""
    body = (
        "尊敬的 XM 先生/女士,你好, 您(身份证号码SFZH)办理的YWMC已于SLSJ由JBJG受理成功,"
        "受理回执号为SLHZH,请妥善保管。"
    )
    filler = "如有疑问请携带本人有效身份证件及相关材料到经办窗口咨询,或拨打12333社会保障服务热线。"
    text = body
    while len(text) < 200:
        text += filler
    return text[:200]


VALUES = {
    "XM": "欧阳娜娜",
    "SFZH": "440102199001011234",
    "YWMC": "工伤认定申请",
    "SLSJ": "2024年5月20日",
    "JBJG": "广州市社会保险基金管理中心",
    "SLHZH": "GS2024052000123",
}


def _best_rate(action, count: int) -> float:
    best = 0.0
    for _ in range(RUNS):
        started = time.perf_counter()
        for _ in range(count):
            action()
        elapsed = time.perf_counter() - started
        best = max(best, count / elapsed)
    return best


def main() -> int:
    template = _template()
    parsed = parse(template, DEFAULT_VOCABULARY)
    assert len(template) == 200, len(template)
    assert len(parsed.codes) == 6 and not parsed.diagnostics, (parsed.codes, parsed.diagnostics)
    mask_names = frozenset({"XM"})

    render_rate = _best_rate(lambda: render(parsed, VALUES, mask_names=mask_names), RENDERS_PER_RUN)
    parse_rate = _best_rate(lambda: parse(template, DEFAULT_VOCABULARY), PARSES_PER_RUN)
    sample = render(parsed, VALUES, mask_names=mask_names)

    print(f"Python {sys.version.split()[0]}")
    print(f"template ({len(template)} chars, codes {', '.join(parsed.codes)}):")
    print(f"  {template}")
    print(f"rendered ({sample.length} chars, {sample.segments} SMS): {sample.text}")
    print(f"render: {render_rate:,.0f} renders/s (best of {RUNS} x {RENDERS_PER_RUN:,})")
    print(f"parse:  {parse_rate:,.0f} parses/s (best of {RUNS} x {PARSES_PER_RUN:,})")
    ok = render_rate >= TARGET_RENDERS_PER_SECOND
    print(f"target {TARGET_RENDERS_PER_SECOND:,} renders/s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
