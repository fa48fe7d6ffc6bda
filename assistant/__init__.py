"""The turn engine: what a shopper asked, which products and facts answer it, in words.

A turn goes ``understand`` (intent, language, references) → ``intents`` (search
through ``index``, decide the products and compute ``facts``) → ``templates`` (an
answer written from the facts) → ``phrasing`` (an LLM may reword it) → ``grounding``
(the rewording reaches the shopper only if every claim is in the facts). ``engine``
runs that sequence for any number of conversations (``state``); ``web`` is the page
on top, and ``cli`` and ``evaluation`` the command-line entry points.
"""
