"""How well the assistant works on a catalog: search, photo search and answers.

``cli.py`` holds the ``python -m assistant eval`` commands; the retrieval metrics live
in ``index/evaluation.py`` and ``index/photo_eval.py``; ``answers/`` generates and
judges question sets from any catalog in the project's JSONL format.
"""
