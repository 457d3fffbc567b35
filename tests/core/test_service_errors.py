"""A service's refusal reaches the form it came from: on the field it names, else at the top.
The views of several apps each had a copy of this, and four of the copies failed with an
AttributeError (a server error) on a refusal that named no field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from vigil.core.forms import add_service_errors


class ReasonForm(forms.Form):
    rationale = forms.CharField()


def _bound() -> ReasonForm:
    form = ReasonForm({"rationale": "The suspect was arrested at his home this morning."})
    assert form.is_valid()
    return form


def test_a_refusal_naming_a_field_is_put_on_that_field() -> None:
    form = _bound()
    add_service_errors(form, ValidationError({"rationale": "Give the reason as a sentence.", "case": "The case is closed."}))
    assert form.errors["rationale"] == ["Give the reason as a sentence."]
    assert form.non_field_errors() == ["The case is closed."]


def test_a_refusal_naming_no_field_is_put_at_the_top_of_the_form() -> None:
    form = _bound()
    add_service_errors(form, ValidationError("This action was done by someone else a moment ago."))
    assert form.non_field_errors() == ["This action was done by someone else a moment ago."]
    assert "rationale" not in form.errors
