#!/usr/bin/env python3
"""Builds the tokenizer fixtures under Tests/ModelsTests/Fixtures/tokenizers/.

Trains small BPE tokenizers with the Hugging Face `tokenizers` library on the bundled
corpus (Data/tinyshakespeare.txt), in the layouts of GPT-2, Llama-3 and Llama-2 /
Mistral `tokenizer.json` files, and records for a list of test strings the reference
ids (with and without special tokens) and decoded texts. Not run by CI.

    /work/venv/bin/python Scripts/make_tokenizer_fixtures.py
"""
import json
import os
import sys

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Data", "tinyshakespeare.txt")
OUT = os.path.join(ROOT, "Tests", "ModelsTests", "Fixtures", "tokenizers")

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

with open(CORPUS, encoding="utf-8") as f:
    TEXT = f.read()
LINES = TEXT.split("\n")
# Training on a slice keeps the script fast; the vocabularies are tiny anyway.
TRAIN = [TEXT[i:i + 2000] for i in range(0, 400_000, 2000)]

BASE_STRINGS = [
    "",
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    LINES[0],
    LINES[1],
    "\n".join(LINES[10:16]),
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.",
    "café naïve résumé Straße",
    "Привет, мир! Как дела?",
    "日本語のテキスト、中文字符。",
    "emoji 😀 and 👨‍👩‍👧‍👦 family, flags 🇫🇷, 🤖🦀",
    "mixed é\u0301 combining e\u0301 and precomposed \u00e9",
    "   leading spaces",
    "trailing spaces   ",
    "tabs\tand\t\ttabs",
    "line\nbreaks\n\n\nmany",
    "windows\r\nline\r\nendings\r\n",
    "  \n \t \r\n  ",
    " ",
    "\n",
    "a  b   c    d",
    "numbers 1234567890 and 3.14159, 42, 2024-01-01",
    "I don't know; you can't, we'll see. I'LL GO. She's HE'D They've",
    "'s 're 'Ve",
    "punctuation!!! ??? ... --- (parens) [brackets] {braces} <angle>",
    "x" * 50,
    "ZWSP\u200bhere NBSP\u00a0there ideographic\u3000space",
    "unicode digits ٣٤٥ and ½ superscript ²",
]


def special_strings(tokens):
    a, b = tokens[0], tokens[1]
    return [
        f"{a}Hello{b}",
        f"{a} spaced {b} out ",
        f"text {a}{a} doubled",
        f"{b}",
        f"before{a}\nafter",
    ]


def record(tok, strings, name, extra_tokens, decode_only=()):
    cases = []
    for s in strings:
        plain = tok.encode(s, add_special_tokens=False)
        with_sp = tok.encode(s, add_special_tokens=True)
        cases.append({
            "text": s,
            "ids": plain.ids,
            "ids_with_special": with_sp.ids,
            "decoded": tok.decode(plain.ids, skip_special_tokens=False),
            "decoded_with_special": tok.decode(with_sp.ids, skip_special_tokens=False),
            "decoded_skip_special": tok.decode(with_sp.ids, skip_special_tokens=True),
        })
    # Decoding ids that do not come from encode (lone bytes, invalid UTF-8).
    lookups = {t: tok.token_to_id(t) for t in extra_tokens}
    decodes = []
    for tokens in decode_only:
        ids = [tok.token_to_id(t) for t in tokens]
        assert None not in ids, tokens
        decodes.append({"ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)})
    data = {
        "tokenizer": name + ".json",
        "vocab_size": tok.get_vocab_size(with_added_tokens=True),
        "token_ids": lookups,
        # id -> token text; for normalized added tokens this is the normalized content.
        "id_to_token": {str(i): tok.id_to_token(i) for i in lookups.values() if i is not None},
        "cases": cases,
        "decode_only": decodes,
    }
    with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))


def byte_to_unicode():
    """GPT-2's reversible byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def save(tok, name, edit=None):
    js = json.loads(tok.to_str())
    if edit:
        edit(js)
    # gpt2.json keeps Hugging Face's pretty layout; the others are compact to stay small.
    if name == "gpt2":
        text = json.dumps(js, ensure_ascii=False, indent=2)
    else:
        text = json.dumps(js, ensure_ascii=False, separators=(",", ":"))
    path = os.path.join(OUT, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return Tokenizer.from_str(text)


def legacy_merges(js):
    js["model"]["merges"] = [" ".join(m) for m in js["model"]["merges"]]


def byte_level_bpe():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=900, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TRAIN, trainer)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    tok.add_tokens([AddedToken("[BREAK]", rstrip=True, normalized=False, special=False)])
    # single_word: only matched with no word character on either side.
    tok.add_tokens([AddedToken("ness", single_word=True, normalized=False, special=False)])
    specials = ["<|endoftext|>", "<mask>"]
    strings = BASE_STRINGS + special_strings(specials) + [
        "a [BREAK]   b", "x <mask>y [BREAK]\n", "ness goodness ness, (ness) é ness_ ness", "nessness ness"]
    ref = save(tok, "gpt2", legacy_merges)
    # Lone and truncated UTF-8 sequences: F0 9F (truncated emoji), E2 82 then 'a', lone 0x80.
    b2u = byte_to_unicode()
    broken = [[b2u[0xF0], b2u[0x9F], "a", b2u[0xE2], b2u[0x82]], [b2u[0x80]], ["Ġ", b2u[0xC3]]]
    record(ref, strings, "gpt2", specials + ["[BREAK]", "ness", "Ġthe", "zzzz"], broken)

    # Same vocabulary, add_prefix_space = true, merges in the [a, b] pair form.
    def prefix(js):
        js["pre_tokenizer"]["add_prefix_space"] = True
    ref = save(tok, "gpt2_prefix", prefix)
    record(ref, strings, "gpt2_prefix", specials)


def llama3():
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(pattern=__import__("tokenizers").Regex(LLAMA3_PATTERN), behavior="isolated",
                             invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
    trainer = trainers.BpeTrainer(vocab_size=900, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TRAIN, trainer)
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B:1",
                                      special_tokens=[("<|begin_of_text|>", bos)]),
    ])
    strings = BASE_STRINGS + special_strings(specials)
    ref = save(tok, "llama3")
    record(ref, strings, "llama3", specials + ["Ġthe"])

    # Qwen2's variant of the pattern: single digits.
    def qwen2(js):
        js["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = LLAMA3_PATTERN.replace(r"\p{N}{1,3}", r"\p{N}")
    ref = save(tok, "qwen2", qwen2)
    record(ref, strings, "qwen2", specials)


def sentencepiece_like():
    specials = ["<unk>", "<s>", "</s>"]
    byte_tokens = [f"<0x{i:02X}>" for i in range(256)]
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=1000, special_tokens=specials + byte_tokens, show_progress=False)
    tok.train_from_iterator(TRAIN, trainer)
    bos = tok.token_to_id("<s>")

    def drop_byte_added_tokens(js):
        js["added_tokens"] = [t for t in js["added_tokens"] if t["content"] not in byte_tokens]

    # Llama-2 layout: Prepend + Replace normaliser, no pre-tokenizer, decoder sequence.
    def llama2(js):
        drop_byte_added_tokens(js)
        js["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}
        js["pre_tokenizer"] = None
        js["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
        js["post_processor"] = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [bos], "tokens": ["<s>"]}}}
        for t in js["added_tokens"]:
            t["normalized"] = False
        # A normalised, non-special added token: matched after the normaliser ran.
        vid = max(js["model"]["vocab"].values()) + 1
        js["added_tokens"].append({"id": vid, "content": "thou art", "single_word": False, "lstrip": False,
                                   "rstrip": False, "normalized": True, "special": False})

    strings = BASE_STRINGS + special_strings(["<s>", "</s>"]) + [
        "Thou art a villain, thou art!", "and thou art", "thou  art"]
    ref = save(tok, "llama2", llama2)
    broken = [["<0xF0>", "<0x9F>", "▁a", "<0xE2>", "<0x82>", "<0xAC>"], ["<0x80>"], ["<s>", "▁the", "<0xC3>"],
              ["▁", "▁the", "<0x41>", "</s>"], ["▁the", "▁"]]
    record(ref, strings, "llama2", specials + ["<0x41>", "▁the", "thou art"], broken)

    # Mistral layout: Metaspace pre-tokenizer (prepend_scheme first, no split), no
    # normaliser, no byte fallback (so unknown characters become one fused <unk>).
    def mistral(js):
        drop_byte_added_tokens(js)
        js["normalizer"] = None
        js["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
        js["model"]["byte_fallback"] = False
        js["decoder"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
        js["post_processor"] = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {
                "<s>": {"id": "<s>", "ids": [bos], "tokens": ["<s>"]},
                "</s>": {"id": "</s>", "ids": [tok.token_to_id("</s>")], "tokens": ["</s>"]}}}

    ref = save(tok, "mistral", mistral)
    record(ref, strings, "mistral", specials)

    # Metaspace with split and prepend_scheme always; byte fallback without fused unk.
    def always(js):
        drop_byte_added_tokens(js)
        js["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}]}
        js["normalizer"] = {"type": "NFC"}
        js["model"]["fuse_unk"] = False
        js["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}]}

    ref = save(tok, "metaspace_always", always)
    record(ref, strings, "metaspace_always", specials)

    def never(js):
        drop_byte_added_tokens(js)
        js["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": True}
        js["model"]["byte_fallback"] = False
        js["model"]["fuse_unk"] = False
        js["decoder"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": True}

    ref = save(tok, "metaspace_never", never)
    record(ref, strings, "metaspace_never", specials)


# Alphabet of the random strings that probe the split regexes and normalisers: classes
# at the edges of \s, \p{L}, \p{N}, contractions in both cases, and specials.
FUZZ_ALPHABET = (
    list("aZ'sStTrReEvVlLmMdD") + ["'", "'", " ", " ", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c"]
    + list("0123456789") + list(".,!?;:-()[]\"&*/\\_#@") + [
        "é", "e\u0301", "ß", "Ж", "я", "中", "の", "😀", "👨‍👩‍👧", "\u00a0", "\u2028", "\u3000",
        "\u0085", "\u200b", "ſ", "Ⅻ", "½", "²", "٣", "１", "ǅ", "ʰ", "\u0300", "\u0903", "▁", "<s>",
        "<|endoftext|>", "<|eot_id|>", "</s>", "Ā", "\x00", "\x7f", "\U0001F1EB",
    ])


def fuzz_strings(count=200, seed=1234):
    import random
    rng = random.Random(seed)
    return ["".join(rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(0, 24))) for _ in range(count)]


def record_fuzz():
    strings = fuzz_strings()
    result = {"strings": strings}
    for name in ["gpt2", "gpt2_prefix", "llama3", "qwen2", "llama2", "mistral", "metaspace_always", "metaspace_never"]:
        tok = Tokenizer.from_file(os.path.join(OUT, name + ".json"))
        result[name] = [tok.encode(s, add_special_tokens=False).ids for s in strings]
    with open(os.path.join(OUT, "fuzz.expected.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, separators=(",", ":"))


def main():
    os.makedirs(OUT, exist_ok=True)
    byte_level_bpe()
    llama3()
    sentencepiece_like()
    record_fuzz()
    # The corpus test: ids for the first 20,000 characters with the Llama-3 tokenizer.
    tok = Tokenizer.from_file(os.path.join(OUT, "llama3.json"))
    with open(os.path.join(OUT, "llama3.corpus.json"), "w") as f:
        json.dump({"characters": 20000, "ids": tok.encode(TEXT[:20000], add_special_tokens=False).ids}, f)
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    sys.exit(main())
