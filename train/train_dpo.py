#!/usr/bin/env python3
"""DPO with LoRA on CPT Writer's preference pairs: the CPT paper's recipe (arXiv 2506.11702).

    python train/train_dpo.py PAIRS.jsonl [PAIRS.jsonl ...] --base MODEL [--out DIR] [--llama-cpp DIR]
    python train/train_dpo.py PAIRS.jsonl --dry-run

PAIRS files are what `cpt-writer pairs` and `cpt-writer generate` write: TRL's conversational preference
format (prompt = [system, user], chosen/rejected = [assistant]) with metadata keys that are dropped here.

--dry-run needs only the Python standard library: it checks every line against that format, counts tokens
roughly, warns where a prompt is longer than --max-prompt-length, prints the resolved configuration and
exits 1 when a line is broken. The training itself needs the packages in train/requirements.txt and a GPU;
it has not been run in this repository's tests (see README, "Train your own CPT model").
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter

# The paper's settings (README "Train your own CPT model" says where each comes from). The learning rate is
# set explicitly: the paper's script set none and so trained at the Hugging Face Trainer default, 5e-5,
# while TRL's DPOConfig defaults to 1e-6 — leaving it out would train 50x slower than the paper.
PAPER = {
    "learning_rate": 5e-5,
    "beta": 0.1,
    "num_train_epochs": 1,
    "per_device_train_batch_size": 1,
    "gradient_accumulation_steps": 4,
    "warmup_ratio": 0.1,
    "max_prompt_length": 256,
    "max_length": 2048,
    "seed": 42,
}
LORA = {
    "r": 16,
    "lora_alpha": 16,
    "lora_dropout": 0.0,
    "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "task_type": "CAUSAL_LM",
}
# A bad file reports at most this many problems, then a count of the rest.
MAX_PROBLEMS = 50
# The longest line read: a pairs line is a few kilobytes; anything past this is not ours.
MAX_LINE_BYTES = 16 * 1024 * 1024


def rough_tokens(text: str) -> int:
    """The project's estimate (src/core/rubrics/tokens.ts): the larger of chars/4 and words*4/3."""
    trimmed = text.strip()
    if not trimmed:
        return 0
    words = len(trimmed.split())
    return max(math.ceil(len(trimmed) / 4), math.ceil(words * 4 / 3))


def printable(text: str, limit: int = 120) -> str:
    """Text from a file, safe for a terminal: control characters and escapes shown as \\xNN, length capped."""
    cleaned = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", lambda m: "\\x%02x" % ord(m.group()), text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def message_text(messages, role: str, where: str, problems: list) -> str | None:
    """The content of a one-message list of `role`, or None with a problem recorded."""
    if not isinstance(messages, list) or len(messages) != 1:
        problems.append(f"{where} must be a list of exactly one {role} message")
        return None
    m = messages[0]
    if not isinstance(m, dict) or m.get("role") != role:
        problems.append(f"{where}[0] must be a message with role '{role}'")
        return None
    content = m.get("content")
    if not isinstance(content, str) or not content.strip():
        problems.append(f"{where}[0].content is empty")
        return None
    return content


def check_row(row) -> tuple[list[str], dict | None]:
    """Problems with one parsed line, and its texts when it is usable."""
    problems: list[str] = []
    if not isinstance(row, dict):
        return ["a line must be a JSON object"], None
    prompt = row.get("prompt")
    system = user = None
    if not isinstance(prompt, list) or len(prompt) < 2:
        problems.append("prompt must be a list of messages: a system prompt, then the user message")
    else:
        first, last = prompt[0], prompt[-1]
        if not isinstance(first, dict) or first.get("role") != "system":
            problems.append("prompt has no system prompt first (CPT conditions on it)")
        elif not isinstance(first.get("content"), str) or not first["content"].strip():
            problems.append("the system prompt is empty")
        else:
            system = first["content"]
        if not isinstance(last, dict) or last.get("role") != "user":
            problems.append("prompt must end with a user message")
        elif not isinstance(last.get("content"), str) or not last["content"].strip():
            problems.append("the user message is empty")
        else:
            user = last["content"]
        for i, m in enumerate(prompt[1:-1], start=1):
            if not isinstance(m, dict) or m.get("role") not in ("user", "assistant") or not isinstance(
                m.get("content"), str
            ):
                problems.append(f"prompt[{i}] is not a user or assistant message")
    chosen = message_text(row.get("chosen"), "assistant", "chosen", problems)
    rejected = message_text(row.get("rejected"), "assistant", "rejected", problems)
    if chosen is not None and rejected is not None and chosen.strip() == rejected.strip():
        problems.append("chosen and rejected are the same text (DPO learns nothing from it)")
    if problems:
        return problems, None
    prompt_text = "".join(m["content"] for m in prompt if isinstance(m.get("content"), str))
    return [], {
        "prompt_tokens": rough_tokens(prompt_text),
        "answer_tokens": max(rough_tokens(chosen), rough_tokens(rejected)),
        "system": system,
        "source": row.get("source"),
        "rubric": row.get("rubric"),
        "level": row.get("level"),
    }


def read_pairs(files: list[str], max_prompt: int, max_length: int, out=sys.stdout):
    """Checks every line of every file. Returns (rows, problems, warnings)."""
    rows, problems, warnings = [], [], []
    for path in files:
        try:
            handle = open(path, "rb")
        except OSError as e:
            problems.append(f"{printable(path)}: cannot read: {e.strerror}")
            continue
        with handle:
            lineno = 0
            while True:
                raw = handle.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    break
                lineno += 1
                where = f"{printable(path)}:{lineno}"
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    problems.append(f"{where}: line longer than {MAX_LINE_BYTES} bytes")
                    while raw and not raw.endswith(b"\n"):
                        raw = handle.readline(MAX_LINE_BYTES + 1)
                    continue
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as e:
                    problems.append(f"{where}: not UTF-8 (byte {e.start})")
                    continue
                except json.JSONDecodeError as e:
                    problems.append(f"{where}: not JSON ({e.msg}, column {e.colno})")
                    continue
                found, info = check_row(row)
                problems.extend(f"{where}: {p}" for p in found)
                if info is None:
                    continue
                if info["prompt_tokens"] > max_prompt:
                    warnings.append(
                        f"{where}: prompt ~{info['prompt_tokens']} tokens, over max_prompt_length {max_prompt}"
                        " (TRL would cut it; raise --max-prompt-length)"
                    )
                if info["prompt_tokens"] + info["answer_tokens"] > max_length:
                    warnings.append(
                        f"{where}: prompt + answer ~{info['prompt_tokens'] + info['answer_tokens']} tokens,"
                        f" over max_length {max_length}"
                    )
                rows.append(info)
    return rows, problems, warnings


def resolved_config(args) -> dict:
    return {
        "base": args.base,
        "pairs": args.pairs,
        "output_dir": args.out,
        "dpo": {
            **PAPER,
            "learning_rate": args.learning_rate,
            "max_prompt_length": args.max_prompt_length,
            "max_length": args.max_length,
            "seed": args.seed,
            "beta": args.beta,
            "num_train_epochs": args.epochs,
        },
        "lora": LORA,
        "gguf": {"llama_cpp": args.llama_cpp, "outfile": gguf_path(args)} if args.llama_cpp else None,
    }


def gguf_path(args) -> str:
    return args.gguf_out or os.path.join(args.out, "adapter.gguf")


def summary(rows: list[dict]) -> list[str]:
    lines = [f"{len(rows)} pair(s)"]
    by_source = Counter(str(r["source"]) for r in rows if r["source"] is not None)
    if by_source:
        lines.append("by source: " + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())))
    by_style = Counter(f"{r['rubric']}@{r['level']}" for r in rows if r["rubric"] is not None)
    if by_style:
        lines.append("by rubric@level: " + ", ".join(f"{printable(k, 60)} {v}" for k, v in sorted(by_style.items())))
    if rows:
        longest = max(r["prompt_tokens"] for r in rows)
        lines.append(f"longest prompt ~{longest} tokens (rough estimate: chars/4 or words*4/3, whichever is larger)")
    return lines


def train(args, config: dict) -> None:
    # Imported here so --dry-run needs nothing beyond the standard library.
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOConfig, DPOTrainer

    tokenizer = AutoTokenizer.from_pretrained(args.base)
    model = AutoModelForCausalLM.from_pretrained(args.base, torch_dtype="auto")
    data = load_dataset("json", data_files=args.pairs, split="train").select_columns(["prompt", "chosen", "rejected"])
    dpo = DPOConfig(output_dir=args.out, bf16=args.bf16, logging_steps=10, report_to="none", **config["dpo"])
    # With peft_config the reference model is the base with the adapter switched off: no second copy.
    trainer = DPOTrainer(
        model=model, args=dpo, train_dataset=data, processing_class=tokenizer, peft_config=LoraConfig(**LORA)
    )
    trainer.train()
    # The trainer's model holds the trained adapter; `model` above is the untouched base.
    trainer.save_model(args.out)
    tokenizer.save_pretrained(args.out)
    print(f"adapter saved in {args.out}")
    if args.llama_cpp:
        script = os.path.join(args.llama_cpp, "convert_lora_to_gguf.py")
        cmd = [sys.executable, script, "--base", args.base, "--outtype", "f16", "--outfile", gguf_path(args), args.out]
        print("converting: " + " ".join(cmd))
        subprocess.run(cmd, check=True)
        print(f"GGUF adapter: {gguf_path(args)} (cpt-writer ... --lora {gguf_path(args)})")
    else:
        print(
            "to serve it: python LLAMA_CPP/convert_lora_to_gguf.py --base "
            f"{args.base} --outtype f16 --outfile {gguf_path(args)} {args.out}"
        )


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("pairs", nargs="+", help="pairs JSONL files (cpt-writer pairs / generate)")
    p.add_argument("--base", help="the base model: a Hugging Face id or folder (the HF weights of your GGUF)")
    p.add_argument("--out", default="cpt-lora", help="where the adapter is saved (default cpt-lora)")
    p.add_argument("--dry-run", action="store_true", help="check the pairs and print the config; no ML packages")
    p.add_argument("--learning-rate", type=float, default=PAPER["learning_rate"])
    p.add_argument("--beta", type=float, default=PAPER["beta"])
    p.add_argument("--epochs", type=float, default=PAPER["num_train_epochs"])
    p.add_argument("--max-prompt-length", type=int, default=PAPER["max_prompt_length"])
    p.add_argument("--max-length", type=int, default=PAPER["max_length"])
    p.add_argument("--seed", type=int, default=PAPER["seed"])
    p.add_argument("--no-bf16", dest="bf16", action="store_false", help="train in the model's own dtype")
    p.add_argument("--llama-cpp", help="a llama.cpp checkout: convert the adapter to GGUF after training")
    p.add_argument("--gguf-out", help="the GGUF adapter file (default OUT/adapter.gguf)")
    args = p.parse_args(argv)
    if not args.dry_run and not args.base:
        p.error("--base is required to train (or use --dry-run)")
    if args.max_prompt_length <= 0 or args.max_length <= args.max_prompt_length:
        p.error("--max-length must be greater than --max-prompt-length, both positive")

    rows, problems, warnings = read_pairs(args.pairs, args.max_prompt_length, args.max_length)
    for w in warnings[:MAX_PROBLEMS]:
        print(f"warning: {w}", file=sys.stderr)
    if len(warnings) > MAX_PROBLEMS:
        print(f"warning: … and {len(warnings) - MAX_PROBLEMS} more over-long prompts", file=sys.stderr)
    for e in problems[:MAX_PROBLEMS]:
        print(f"error: {e}", file=sys.stderr)
    if len(problems) > MAX_PROBLEMS:
        print(f"error: … and {len(problems) - MAX_PROBLEMS} more problems", file=sys.stderr)
    if not rows and not problems:
        print("error: no pairs in " + ", ".join(printable(f) for f in args.pairs), file=sys.stderr)
        return 1
    config = resolved_config(args)
    for line in summary(rows):
        print(line)
    print("config: " + json.dumps(config, indent=2))
    if problems:
        print(f"{len(problems)} problem(s): fix the pairs before training", file=sys.stderr)
        return 1
    if args.dry_run:
        print("dry run: the pairs are in TRL's conversational preference format; nothing was trained")
        return 0
    train(args, config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
