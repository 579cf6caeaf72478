"""Reads of the catalogue: a provider's offers and models, and the family a model belongs to."""

from __future__ import annotations

from components.catalogue.families import FAMILIES
from components.catalogue.offers import OFFERS
from components.catalogue.rows import Family, Offer

_BY_PREFIX: dict[str, Family] = {family.prefix: family for family in FAMILIES}


def offers_at(preset_id: str) -> tuple[Offer, ...]:
    """Return the provider's rows, in the order its preset offers them."""
    return tuple(offer for offer in OFFERS if offer.preset == preset_id)


def listed_models(preset_id: str) -> tuple[str, ...]:
    """Return the models the provider's preset offers, as the provider spells them."""
    return tuple(offer.model for offer in offers_at(preset_id) if offer.listed)


def family_for(model: str) -> Family | None:
    """Return the family of ``model`` (the longest matching prefix; a ``vendor/`` prefix is
    ignored, case does not matter), or None when no family matches."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in _BY_PREFIX if name.startswith(prefix)]
    return _BY_PREFIX[max(matches, key=len)] if matches else None


def billing_factor(model: str) -> float:
    """Return how many times the billed image tokens exceed what ``model``'s context holds."""
    family = family_for(model)
    return 1.0 if family is None else family.billing_factor


def sees_pictures(model: str) -> bool | None:
    """Return whether ``model``'s family can see pictures, or None when the family is unknown."""
    family = family_for(model)
    return None if family is None else family.sees
