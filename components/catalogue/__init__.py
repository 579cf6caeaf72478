"""The catalogue of models: every per-model fact Kantu knows, as dated data with its source.

::

    rows.py      the row types: Offer (a model at a provider), Family (a model-name prefix),
                 and the facts they hold (ListPrice, Window, TokenRule)
    offers.py    OFFERS: one row per provider and model: listed in the provider's preset,
                 its list price, its context window
    families.py  FAMILIES: one row per model-name prefix: how a picture is counted (the image
                 token rule), the billing-only factor, and whether the model can see pictures
    published.py offers a provider publishes itself (OpenRouter's GET /models: price and
                 context length), kept per preset and base URL for a few hours; read first
    lookup.py    reads by model: listed_models (the presets' lists), family_for, billing_factor
                 (send limits), sees_pictures (the "cannot see pictures" default); prices and
                 context windows index OFFERS once, image tokens index FAMILIES' rules

A price or a window belongs to a model *at a provider* (Qwen2.5-VL-72B: 32,768 tokens at
OpenRouter, 131,072 at SiliconFlow; gpt-4o-mini in ¥ at a reseller, in $ at OpenAI), so those
facts sit on offers; how a picture is counted belongs to the model family wherever it is served,
so that sits on families. Every fact carries the month it was ``checked`` and its ``source``;
one that no public source confirmed says so (``confirmed=False``) and is shown as approximate.

The package imports nothing from ``components`` (it is data): prices, windows, presets, image
tokens and send limits read it, never the other way round.
"""
