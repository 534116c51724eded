"""Benchmark: 100 structured LLM calls against the fake server, concurrently versus one at a time."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import BaseModel  # noqa: E402

from core.llm import LLMCallRecord, LLMClient, LLMResult, LLMSettings, run_concurrently  # noqa: E402
from tests.support.fake_openai import FakeOpenAI, Reply  # noqa: E402

PRICE_IN = 2.50  # per million input tokens
PRICE_OUT = 10.00  # per million output tokens


class TrialSummary(BaseModel):
    trial_id: str
    plain_summary: str


def usage_for(index: int) -> tuple[int, int]:
    """Tokens the fake server reports for call `index` (varied so the sums mean something)."""
    return 800 + 7 * index, 150 + 3 * index


def answer(body: dict) -> Reply:
    index = int(body["messages"][-1]["content"].split()[-1])
    content = {"trial_id": f"NCT{index:08d}", "plain_summary": "A study of a new treatment."}
    return Reply(content=content, usage=usage_for(index))


def run_batch(client: LLMClient, calls: int, concurrency: int) -> tuple[float, list[LLMCallRecord]]:
    def call(index: int) -> LLMResult[TrialSummary]:
        messages = [
            {"role": "system", "content": "You write plain-language trial summaries."},
            {"role": "user", "content": f"Summarise trial {index}"},
        ]
        return client.complete_structured(messages, TrialSummary, prompt_name="bench", prompt_version="1")

    started = time.perf_counter()
    results = run_concurrently(call, list(range(calls)), concurrency=concurrency)
    elapsed = time.perf_counter() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise SystemExit(f"{len(failures)} calls failed, first: {failures[0]!r}")
    for index, result in enumerate(results):
        assert result.parsed.trial_id == f"NCT{index:08d}", "results out of order"
    return elapsed, [r.record for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the server takes per reply")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with FakeOpenAI(latency_s=args.latency) as server:
        server.respond_with(answer)
        settings = LLMSettings(
            base_url=server.base_url,
            api_key=server.api_key,
            model=server.model,
            timeout_s=30,
            price_input_per_million=PRICE_IN,
            price_output_per_million=PRICE_OUT,
        )
        client = LLMClient(settings)

        print(f"{args.calls} structured calls, {args.latency * 1000:.0f} ms server latency per reply")
        concurrent_s, records = run_batch(client, args.calls, args.concurrency)
        print(f"  concurrency {args.concurrency:>2}: {concurrent_s:7.2f} s")
        sequential_s, _ = run_batch(client, args.calls, 1)
        print(f"  one at a time: {sequential_s:7.2f} s")
        ratio = sequential_s / concurrent_s
        print(f"  speed-up: {ratio:.2f}x (target >= 4x) {'OK' if ratio >= 4 else 'BELOW TARGET'}")
        print(f"  server saw {len(server.chat_requests)} chat requests (expected {2 * args.calls})")

    expected_in = sum(usage_for(i)[0] for i in range(args.calls))
    expected_out = sum(usage_for(i)[1] for i in range(args.calls))
    expected_cost = expected_in / 1e6 * PRICE_IN + expected_out / 1e6 * PRICE_OUT
    measured_in = sum(r.input_tokens for r in records)
    measured_out = sum(r.output_tokens for r in records)
    measured_cost = sum(r.cost for r in records)
    print("Tokens and cost (concurrent run):")
    print(f"  input tokens : expected {expected_in:>9,}  measured {measured_in:>9,}")
    print(f"  output tokens: expected {expected_out:>9,}  measured {measured_out:>9,}")
    print(f"  cost (USD)   : expected {expected_cost:9.6f}  measured {measured_cost:9.6f}")
    matches = (measured_in, measured_out) == (expected_in, expected_out) and abs(
        measured_cost - expected_cost
    ) < 1e-9
    print(f"  {'OK: sums match' if matches else 'MISMATCH'}")


if __name__ == "__main__":
    main()
