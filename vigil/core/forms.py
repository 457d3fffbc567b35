"""GOV.UK error messages for every form.

Django's own texts ("This field is required.", "Ensure this value has at most 5000
characters (it has 5012).", "Enter a valid date.") do not say which field is wrong, and a page
with three of them in its error summary is a puzzle. `GovukForm` (or `GovukFormMixin` on any
form class, such as Django's sign-in form) replaces each of them, when the form is validated,
by the GOV.UK wording built from the field's name in words:

    Enter the date the order was granted
    Select the kind of report
    Summary must be 5,000 characters or fewer
    Days until it expires must be 90 or less
    The date the order was granted must be a real date

The name in words is the field's `error_names` entry on the form, or else its label (without
"(optional)"). A label that is a question ("When was it reported?") cannot be turned into a
message, so such a field needs an `error_names` entry; a form that lacks one fails loudly
(ImproperlyConfigured) the first time it is validated, so it is caught by any test that posts
to it. A message the form's author wrote by hand (`error_messages={...}` on the field, or a
`ValidationError` raised in `clean_*`) is kept: only Django's defaults are replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinLengthValidator, MinValueValidator

OPTIONAL_SUFFIXES = (" (optional)", " (if known)")


def sentence(text: str) -> str:
    """`text` with its first letter capitalised (the rest is left alone: 'PIN', 'DASH')."""
    return text[:1].upper() + text[1:]


def in_sentence(label: str) -> str:
    """A label as words inside a sentence: 'Summary' -> 'summary', but 'PIN' stays 'PIN'."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def number(value: Any) -> str:
    """5000 -> '5,000'; 2.5 -> '2.5'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _limit(field: forms.Field, kind: type, attribute: str) -> Any:
    value = getattr(field, attribute, None)
    if value is not None:
        return value
    for validator in field.validators:
        if isinstance(validator, kind):
            return getattr(validator, "limit_value", None)
    return None


def _chooses(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField) or getattr(field.widget, "input_type", "") in {
        "radio",
        "checkbox",
        "select",
    }


def govuk_messages(field: forms.Field, name: str) -> dict[str, str]:
    """The GOV.UK message for each error code `field` can raise, naming it as `name`."""
    name_start = sentence(name)
    messages: dict[str, str] = {}
    messages["required"] = f"Select {name}" if isinstance(field, forms.BooleanField) or _chooses(field) else f"Enter {name}"
    messages["invalid_choice"] = f"Choose {name} from the list"
    messages["invalid_list"] = f"Choose {name} from the list"
    messages["invalid_pk_value"] = f"Choose {name} from the list"

    if isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"{name_start} must be a real date and time"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{name_start} must be a real date"
    elif isinstance(field, forms.TimeField):
        messages["invalid"] = f"{name_start} must be a real time"
    elif isinstance(field, forms.FloatField | forms.DecimalField):  # before IntegerField, their base class
        messages["invalid"] = f"{name_start} must be a number"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{name_start} must be a whole number"
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = f"Enter {name} in the correct format, like name@example.com"
    elif isinstance(field, forms.URLField):
        messages["invalid"] = f"Enter {name} in the correct format, like https://www.example.com"
    else:
        messages["invalid"] = f"Enter {name} in the correct format"

    longest = _limit(field, MaxLengthValidator, "max_length")
    if longest is not None:
        messages["max_length"] = f"{name_start} must be {number(longest)} characters or fewer"
    shortest = _limit(field, MinLengthValidator, "min_length")
    if shortest is not None:
        messages["min_length"] = f"{name_start} must be {number(shortest)} characters or more"
    highest = _limit(field, MaxValueValidator, "max_value")
    if highest is not None:
        messages["max_value"] = f"{name_start} must be {number(highest)} or less"
    lowest = _limit(field, MinValueValidator, "min_value")
    if lowest is not None:
        messages["min_value"] = f"{name_start} must be {number(lowest)} or more"
    if isinstance(field, forms.DecimalField):
        messages["max_digits"] = f"{name_start} must have {number(field.max_digits)} digits or fewer"
        messages["max_decimal_places"] = f"{name_start} must have {number(field.decimal_places)} decimal places or fewer"
        messages["max_whole_digits"] = f"{name_start} has too many digits before the decimal point"
    messages["step_size"] = f"{name_start} must be a multiple of {number(getattr(field, 'step_size', 1))}"
    return messages


def _django_defaults(field: forms.Field) -> dict[str, str]:
    """Django's own message for each code `field` can raise, as `field` would hold it."""
    defaults: dict[str, str] = {}
    for klass in reversed(type(field).__mro__):
        defaults.update({code: str(text) for code, text in getattr(klass, "default_error_messages", {}).items()})
    return defaults


class GovukFormMixin:
    """Puts the GOV.UK message in place of each of Django's default messages (see the module)."""

    # Field name -> its name in words inside a sentence, e.g. {"occurred_at": "the time it was reported"}.
    error_names: ClassVar[dict[str, str]] = {}
    fields: dict[str, forms.Field]

    def error_name(self, name: str, field: forms.Field) -> str:
        if name in self.error_names:
            return self.error_names[name]
        label = str(field.label) if field.label is not None else name.replace("_", " ").capitalize()
        for suffix in OPTIONAL_SUFFIXES:
            label = label.removesuffix(suffix)
        if label.rstrip().endswith("?") or not label.strip():
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{name}: its label {label!r} cannot name it in an error message; "
                f"give it an entry in {type(self).__name__}.error_names (for example 'the time it was reported')"
            )
        return in_sentence(label.strip())

    def apply_govuk_messages(self) -> None:
        for name, field in self.fields.items():
            if getattr(field, "_govuk_messages", False):
                continue
            derived = govuk_messages(field, self.error_name(name, field))
            defaults = _django_defaults(field)
            for code, text in derived.items():
                current = field.error_messages.get(code)
                if current is None or str(current) == defaults.get(code):
                    field.error_messages[code] = text
            field._govuk_messages = True  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        # Fields may be added after __init__ (questions built from data), so the messages are set here.
        self.apply_govuk_messages()
        full_clean: Callable[[], None] = super().full_clean  # type: ignore[misc]
        full_clean()


class GovukForm(GovukFormMixin, forms.Form):
    """A form whose error messages follow GOV.UK's pattern and name the field."""


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: each named field's messages on that field (so the
    GOV.UK error summary links to it), anything else (a refusal naming no field of this form,
    or none at all) at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
