"""The Arabic text toolkit the lexicons and the pipeline stages share; it imports nothing else of Rasd.

* :mod:`rasd.text.normalize` — fold Arabic text for matching, keeping a map back to the original
  offsets (``normalize``, ``fold``, ``match_key``);
* :mod:`rasd.text.match` — the compiled dictionary matcher with Arabic-aware word edges
  (``Matcher``, ``Entry``, ``Mention``);
* :mod:`rasd.text.numbers` — digits, number words and vague amounts (``NumberWords``);
* :mod:`rasd.text.dates` — time expressions resolved against the publication date (``Calendar``).
"""
