"""Answer quality of the turn engine on questions generated from the catalog.

Seven kinds of question, in English and Chinese, are generated from the catalog rows
with a seeded RNG, so the set works on any catalog in the project's JSON lines format:

- ``compare_price``: "Which is cheaper, the A or the B, and by how much?" (same first
  category; about one pair in six costs the same);
- ``price``: "How much is the A?" (products on special first);
- ``reviews``: "What do reviews say about the A?" (about one in four has no review);
- ``availability``: "Does the A come in blue?", half with a colour it has, half without;
- ``not_carried``: "jackets under $5", the ceiling below the cheapest product of a type;
- ``cheaper_alternative``: "How much is the A?", then "anything cheaper?";
- ``reference``: a search ("Show me blue jackets"), then "how much is the second one?".

The expected answer is computed from the raw JSON rows with plain Python, not with
the project's facts code, so that a bug there cannot pass by agreeing with itself.
Each question runs through ``Assistant.ask`` and is judged on the final answer text
(the right product, the amount written as money: "$25" / "25 美元", never "25 元";
yes or no) and on the result (intent, products, ``alternatives``). Money in an answer
that no number of the result's facts holds counts as an invented price; an answer
that echoes the prompt or says one piece four times over is wrong whatever it holds.
Product names are typed as a shopper would, without ™ and ®.

Compromises: the judge reads text with regular expressions, so an LLM's correct but
unusual phrasing can count as wrong (the cheaper product is the subject of the first
"cheaper" / "比" / "便宜"); a "reference" question refers to what the engine itself
showed in the first turn, since a ranking cannot be computed from the rows; type
words are the last segment of each product's first category, matched generously
(name, categories, attributes, lexicon synonyms) so that the ceiling of a
``not_carried`` question is below every product the search could call that type.

Modules: ``shop`` (the catalog read plainly) → ``questions`` (the set, with expected
answers) → ``outcome`` (asked through the engine, judged by ``judge`` with the text
readers of ``answer_text``) → ``report`` (the table); the command is in
``assistant/evaluation/cli.py``.

Run: .venv/bin/python -m assistant eval answers [--questions F] [--json]
     [--llm llama-cpp --llm-model qwen2.5-0.5b|smollm2-135m] [--verbose] [--catalog DIR]
(``--verbose`` lists every failed question; the index options are those of ``python -m index``.)
"""
