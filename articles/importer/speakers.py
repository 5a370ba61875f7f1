"""Telling who spoke from the words that name them: an organisation, a person, an
unnamed source, or a reference back ("he", "the ministry") to the last speaker."""

import re

_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}
_TITLES = {
    "minister", "spokesman", "spokeswoman", "spokesperson", "president", "secretary",
    "general", "gen.", "colonel", "col.", "commander", "chief", "director", "ambassador",
    "official", "officer", "senator", "sen.", "governor", "mayor", "lieutenant", "lt.",
    "major", "maj.", "captain", "capt.", "sergeant", "sgt.", "admiral", "adm.", "leader",
    "chairman", "chairwoman", "deputy", "mr.", "mrs.", "ms.", "dr.", "prof.", "professor",
    "analyst", "researcher", "correspondent", "resident", "witness", "doctor", "lawyer",
    "activist", "king", "queen", "prince", "sheikh", "cleric", "ayatollah", "lawmaker",
    "envoy", "adviser", "advisor", "coordinator", "founder", "executive", "manager",
    "editor", "mp", "rep.", "premier", "speaker", "head", "member", "father", "imam",
    # British style writes these without the full stop.
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "maj", "capt", "sgt", "prof", "rep",
}  # fmt: skip
_ORGANISATION_WORDS = {
    "ministry", "department", "forces", "force", "army", "navy", "coalition", "council",
    "group", "agency", "office", "committee", "organisation", "organization", "union",
    "party", "front", "brigade", "brigades", "movement", "government", "command", "corps",
    "units", "unit", "association", "institute", "bank", "fund", "police", "militia",
    "network", "centre", "center", "commission", "authority", "embassy", "pentagon",
    "parliament", "assembly", "court", "federation", "alliance", "mission", "company",
    "corporation", "university", "foundation", "service", "guard", "guards", "watch",
    "nations", "bureau", "administration", "cabinet", "presidency", "kremlin", "board",
    "crescent", "cross", "observatory", "directorate", "secretariat", "hezbollah",
    "hamas", "taliban", "reuters", "times", "press", "media", "ngo", "charity",
}  # fmt: skip
_NAME_PARTICLES = re.compile(r"(?:al|el|bin|ibn|abu|de|da|del|der|van|von|du|le|la)(?:-\w.*)?")
_SPOKESPERSON_FOR = re.compile(
    r"(?:a|an|the)\s+(?:\w+\s+){0,2}?(?:spokes(?:man|woman|person)|statement|representative)"
    r"\s+(?:for|from|of)\s+(?P<organisation>.+)",
    re.IGNORECASE,
)
_SPOKESPERSON_NAMED = re.compile(
    r"(?:the\s+)?(?P<organisation>.+?)\s+spokes(?:man|woman|person)(?:\s+(?P<name>.+))?"
)


def classify_speaker(phrase, last_speaker=None):
    """(name, is_organisation) for the words that name who spoke, or None.

    Pronouns and bare references ("he", "the ministry") go back to the last speaker.
    """
    phrase = " ".join(phrase.split()).strip(" ,;:—–-")
    if not phrase or len(phrase.split()) > 12:
        return None
    lower = phrase.lower()
    bare = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
    if lower in _PRONOUNS:
        return last_speaker
    if lower.startswith("the ") and not any(c.isupper() for c in bare):
        # "the ministry" refers back; "the official" is a source left unnamed.
        if set(lower.split()) & _TITLES:
            return phrase, False
        return last_speaker
    if match := _SPOKESPERSON_FOR.fullmatch(phrase):
        speaker = classify_speaker(match["organisation"], last_speaker)
        return speaker and (speaker[0], True)
    if re.match(r"(?:a|an|one)\s", phrase, re.IGNORECASE):
        return phrase, False  # an unnamed source: "a senior US official"
    if (match := _SPOKESPERSON_NAMED.fullmatch(phrase)) and match["organisation"][:1].isupper():
        if match["name"]:
            return _known_person(
                _person_name(match["name"].split()) or match["name"], last_speaker
            )
        return classify_speaker(match["organisation"], last_speaker)
    tokens = bare.split()
    if tokens[-1].lower().strip(".,'’") in _ORGANISATION_WORDS and all(
        token[:1].isupper() for token in tokens
    ):
        return bare, True  # "the Imam Ali Brigades": a title inside an organisation's name
    titles = [i for i, token in enumerate(tokens) if token.lower() in _TITLES]
    if titles:
        name = _person_name(tokens[titles[-1] + 1 :])
        return _known_person(name, last_speaker) if name else (phrase, False)
    if _looks_like_organisation(phrase, tokens):
        return bare, True
    if name := _trailing_name(tokens):  # "Local engineer Omar al-Jubouri"
        return _known_person(name, last_speaker)
    return None


def _known_person(name, last_speaker):
    # "Kirby added" after "Pentagon press secretary John Kirby told reporters".
    if last_speaker and not last_speaker[1] and last_speaker[0].endswith(f" {name}"):
        return last_speaker
    return name, False


def _looks_like_organisation(phrase, tokens):
    if phrase.lower().startswith("the "):
        return True
    words = {token.lower().strip(".,'’") for token in tokens}
    if words & _ORGANISATION_WORDS:
        return True
    return any(len(token) > 1 and token.isupper() for token in tokens)


def _trailing_name(tokens):
    name = []
    for token in reversed(tokens):
        if token[:1].isupper() or _NAME_PARTICLES.fullmatch(token):
            name.insert(0, token)
        else:
            break
    while name and not name[0][:1].isupper():
        name.pop(0)
    return " ".join(name).strip(" ,")


def _person_name(tokens):
    name = []
    for token in tokens:
        if token[:1].isupper() or (name and _NAME_PARTICLES.fullmatch(token)):
            name.append(token)
        else:
            break
    return " ".join(name).strip(" ,")
