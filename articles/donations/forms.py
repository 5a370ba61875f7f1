from django import forms

from .amounts import smallest_unit

OTHER = "other"


class DonationForm(forms.Form):
    """A gift to one appeal: a preset or a free amount, once or monthly."""

    preset = forms.ChoiceField(label="Amount", widget=forms.RadioSelect)
    other_amount = forms.DecimalField(
        label="Your amount", required=False, max_digits=12, decimal_places=2
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=[("once", "Once"), ("monthly", "Every month")],
        initial="once",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label="Your name (optional)", required=False, max_length=100)
    email = forms.EmailField(
        label="Email for the receipt", max_length=254, help_text="We send your receipt here."
    )
    anonymous = forms.BooleanField(label="Show my gift as anonymous", required=False)
    currency = forms.CharField(widget=forms.HiddenInput, max_length=3)

    def __init__(self, *args, appeal, **kwargs):
        super().__init__(*args, **kwargs)
        self.appeal = appeal
        presets = appeal.presets
        self.fields["preset"].choices = [
            *((f"{amount:f}", appeal.format_amount(amount)) for amount in presets),
            (OTHER, "Other amount"),
        ]
        self.fields["preset"].initial = f"{presets[0]:f}" if presets else OTHER
        self.fields["currency"].initial = appeal.currency
        self.fields["other_amount"].widget.attrs.update(
            min=f"{appeal.minimum_amount:f}",
            max=f"{appeal.maximum_amount:f}",
            step=f"{smallest_unit(appeal.currency)}",
        )

    def clean_currency(self):
        currency = self.cleaned_data["currency"].upper()
        if currency != self.appeal.currency.upper():
            raise forms.ValidationError(f"This appeal takes gifts in {self.appeal.currency} only.")
        return currency

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("preset")
        if preset is None:
            return cleaned
        amount = (
            cleaned.get("other_amount") if preset == OTHER else forms.DecimalField().clean(preset)
        )
        if amount is None:
            if "other_amount" not in self.errors:
                self.add_error("other_amount", "Enter the amount you want to give.")
            return cleaned
        least, most = self.appeal.minimum_amount, self.appeal.maximum_amount
        field = "other_amount" if preset == OTHER else "preset"
        if amount % smallest_unit(self.appeal.currency):
            # Stripe would charge the amount cut to whole units: less than the reader chose.
            self.add_error(field, f"Gifts in {self.appeal.currency} are whole amounts.")
        elif amount < least:
            self.add_error(field, f"The least you can give is {self.appeal.format_amount(least)}.")
        elif amount > most:
            self.add_error(
                field, f"The most you can give here is {self.appeal.format_amount(most)}."
            )
        else:
            cleaned["amount"] = amount
        return cleaned
