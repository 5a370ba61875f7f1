"""Telling who spoke from the words that name them: an organisation, a person, an
unnamed source, or a reference back ("he", "the ministry") to the last speaker."""

import re
from dataclasses import dataclass, replace

from .cues import first_cue

_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}
_INITIAL = re.compile(r"[A-Z]\.")
_SUFFIX = re.compile(r"(?:[JS]r|I{2,3}|IV)\.?")
_RELATIVES = {"that", "which", "who", "whom", "this", "these", "those", "what", "there"}
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
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "maj", "capt", "sgt", "prof", "rep", "sen",
    "gov", "gov.", "supt", "supt.", "rev", "rev.", "sheriff", "judge", "justice", "pastor",
    "councilman", "councilwoman", "councillor", "councilor", "congressman", "congresswoman",
    "representative",
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
    # "UNICEF", "U.N." name organisations; a middle initial ("Michael P. McDonald") not.
    return any(
        len(token) > 1 and token.isupper() and not _INITIAL.fullmatch(token) for token in tokens
    )


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


# --- Who a speaker phrase stands for, in the article so far --------------------------------


@dataclass(frozen=True)
class Speaker:
    name: str  # a person's or organisation's name, or the words of an unnamed source
    is_organisation: bool = False
    is_person: bool = False  # a named person; never together with is_organisation
    role: str = ""  # "a spokeswoman for the ministry", as the text introduces them
    organisation: str = ""  # the organisation a person speaks for, as named


_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr"}
_VERBS_AFTER_A_SUBJECT = {"is", "was", "has", "had", "will", "would", "told", "wrote", "says"}
_DETERMINERS = {"the", "a", "an", "this", "that", "his", "her", "its", "their", "our"}
LEADING_WORDS = {
    "in", "on", "at", "after", "before", "during", "speaking", "asked", "when", "while",
    "earlier", "later", "meanwhile", "however", "but", "and", "still", "also", "yet",
    "instead", "today", "yesterday", "last", "as", "for", "with", "by", "from", "since",
    "although", "though", "if", "because", "then", "now", "so", "this", "in fact",
    "separately", "previously", "again", "here", "there", "similarly", "indeed", "then-",
    "writing", "responding", "appearing", "talking", "addressing", "testifying", "early",
}  # fmt: skip
_CONJUNCTIONS = {"but", "and", "so", "yet"}
_APPOSITIVE = re.compile(r"(?:a|an|the|who|whose|which|now|then|also|himself|herself|\()\b", re.I)
DOCUMENT = re.compile(
    r"(?:(?P<owner>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*)*)['’]s?|the|this|that|his|her|their"
    r"|its|a|an)\s+(?:[\w-]+\s+){0,2}(?:statement|letter|report|memo|release|email|e-mail|post"
    r"|tweet|note|filing|ad|advertisement|complaint|lawsuit|document|video|message|spot"
    r"|website|site|transcript|text|announcement|petition|order|ruling|poll|survey|study)",
    re.IGNORECASE,
)
_DOCUMENT_NOUN = re.compile(
    r"\b(?:statement|letter|report|memo|release|e-?mail|post|tweet|note|filing|ad"
    r"|advertisement|complaint|lawsuit|document|video|message|spot|website|site|transcript"
    r"|text|announcement|petition|order|ruling|poll|survey|study)\b",
    re.IGNORECASE,
)
_SAME_DOCUMENT = {"advertisement": "ad", "spot": "ad", "e-mail": "email", "site": "website"}


def _document_kind(text):
    """The kind of document a phrase names last ("in a statement" → "statement")."""
    nouns = _DOCUMENT_NOUN.findall(text)
    noun = nouns[-1].lower() if nouns else ""
    return _SAME_DOCUMENT.get(noun, noun)


# Words that show a phrase is a clause ("American people are"), not the one who spoke.
_NOT_IN_A_SUBJECT = {
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "not", "will",
    "would", "can", "could", "should", "may", "might", "if", "when", "because", "than", "to",
    "do", "does", "did", "it", "he", "she", "they", "we", "i", "you", "him", "them", "this",
    "that", "which", "what", "how", "why", "where", "there", "so", "just", "even",
}  # fmt: skip
_NOT_A_SUBJECT_START = {
    "in", "on", "at", "during", "after", "before", "from", "with", "by", "for", "of", "about",
    "including", "following", "to", "into", "than", "like", "while", "when", "if", "because",
    "as", "was", "is", "are", "were", "has", "had", "have", "not", "and", "but", "or",
}  # fmt: skip
_OWNER_BEFORE_DOCUMENT = re.compile(
    r"(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat)\s+(?P<owner>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*)*)"
    r"\s+[a-z]"
)
_ISSUED = re.compile(r"\b(?:statement|release|letter|memo|report)\b")
_CALENDAR = re.compile(
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june"
    r"|july|august|september|october|november|december|today|yesterday|tonight",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"(?:[A-Z][\w'’.-]*|(?:[A-Z]\.)+)")
# "Jane Smith, a spokeswoman for the ministry," found from its ", a " and read backwards:
# a pattern starting at the name would be tried at every capital letter.
_INTRODUCTION = re.compile(r",\s+(?P<role>(?:a|an|the)\s+[^,;.“”\"()]{2,150}?)(?=[,.;])")
_FULL_NAME = re.compile(r"(?<![\w.])[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'’-]+){1,2}\b")
_ORGANISATION_IN_ROLE = re.compile(
    r"\b(?:for|of|at|with|from)\s+(?P<organisation>(?:the\s+)?[A-Z][\w.&'’-]*"
    r"(?:\s+(?:[A-Z][\w.&'’-]*|of|for|and|on|the))*)"
)
_AFFILIATION = re.compile(r"\s(?:of|from|with)\s+(?:the\s+)?[A-Z]")
_RELATIVE_IN_ROLE = re.compile(r"(?:^|[\s,;])(?:who|whom|whose|which|that|where|when)\s")
_PARENTHESIS = re.compile(r"\s*\([^()]{0,60}\)")
# What the text shows of a person's sex, for "she" and "he": an honorific before the
# surname, or a gendered word in how they are described.
# How many of the people quoted last a pronoun may reach back past the latest one.
_SALIENT_PEOPLE = 3
_HONORIFIC_SURNAME = re.compile(r"\b(?P<honorific>Mrs|Ms|Miss|Mr)\.?\s+(?P<surname>[A-Z][\w'’-]+)")
_FEMININE = re.compile(
    r"\b(?:(?:spokes|chair|congress|council|business|camera|anchor)?wom[ae]n|wife|widow|mother|daughter|sister|grandmother|girl|actress|queen"
    r"|princess|first lady|Mrs|Ms|Miss)\b",
    re.IGNORECASE,
)
_MASCULINE = re.compile(
    r"\b(?:(?:spokes|chair|congress|council|business|camera|anchor)?m[ae]n|husband|widower|father|son|brother|grandfather|boy|actor|king"
    r"|prince|Mr)\b",
    re.IGNORECASE,
)


class Cast:
    """The people and organisations an article has shown so far, to read "Smith", "she",
    "the commander" and "the statement reads" as an editor would: the person introduced
    earlier as "Jane Smith, a spokeswoman for the ministry", the issuer of the statement."""

    def __init__(self, paragraphs):
        self.paragraphs = paragraphs
        self.introduced = {}  # surname, case-folded → Speaker
        self.full_names = {}  # surname, case-folded → the first full name seen
        self.titles = {}  # surname, case-folded → the title it was first seen with
        self.mentioned = []  # full names, in the order the text first gives them
        self.speakers = []  # who spoke, in order
        self.issuers = []  # (kind, who): who issued a statement, a letter, a report
        self.reached = 0
        self.current = 0  # the paragraph being read
        self.spoke_in = 0  # the paragraph of the last statement
        self.sexes = {}  # surname, case-folded → "she" or "he", when the text shows it

    def reach(self, number):
        """Reads the introductions of paragraphs up to `number`: a reporter introduces a
        person once and names them by surname after."""
        self.current = number
        while self.reached < min(number, len(self.paragraphs)):
            paragraph = self.paragraphs[self.reached]
            self.reached += 1
            for match in _FULL_NAME.finditer(paragraph):
                tokens = match.group().split()
                title = []
                while len(tokens) > 2 and tokens[0].lower() in _TITLES:
                    title.append(tokens.pop(0))  # "Senator Ruth Okafor" is Ruth Okafor
                if tokens[0].lower() not in LEADING_WORDS | {"the", "a", "an"}:
                    if tokens[-1].casefold() not in self.full_names:
                        self.full_names[tokens[-1].casefold()] = " ".join(tokens)
                        self.titles[tokens[-1].casefold()] = " ".join(title)
                        self.mentioned.append(" ".join(tokens))
            for match in _HONORIFIC_SURNAME.finditer(paragraph):
                sex = "he" if match["honorific"] == "Mr" else "she"
                self.sexes.setdefault(match["surname"].casefold(), sex)
            for match in _ISSUED.finditer(paragraph):
                self._issued(paragraph, match.start())
            for match in _INTRODUCTION.finditer(paragraph):
                name = _name_before(paragraph, match.start())
                if name and classify_speaker(name) in (None, (name, False)):
                    self._introduce(self._person(name, match["role"].strip()))

    def _issued(self, paragraph, at):
        """ "The Defence Ministry said in a statement on Monday that…": the ministry is
        whom "the statement reads" means later."""
        start = max(0, at - 200)
        if start and not paragraph[start - 1].isspace():
            start = paragraph.find(" ", start, at) + 1  # not from the middle of a word
        sentence = paragraph[start:at]
        sentence = sentence[max(sentence.rfind(". "), sentence.rfind("”"), -1) + 1 :]
        cue = first_cue(sentence)
        if cue is not None and (subject := sentence[: cue.start()].strip()):
            speaker = self.resolve(subject, reference=False)
            # Only someone named issues a statement: "this" or "the plan" does not.
            if speaker is not None and (speaker.is_person or speaker.is_organisation):
                if not DOCUMENT.fullmatch(speaker.name):
                    self.issuers.append((_document_kind(paragraph[at : at + 20]), speaker))

    def spoke(self, speaker, attribution, number):
        self.speakers.append(speaker)
        self.spoke_in = number
        if DOCUMENT.search(attribution) and not DOCUMENT.fullmatch(speaker.name):
            self.issuers.append((_document_kind(attribution), speaker))

    def named_speaking_in(self, number):
        """Someone a paragraph shows speaking at its start: "Smith, who leads the group,
        said it had cleared…" says the quoted paragraph after it."""
        paragraph = self.paragraphs[number - 1][:300]
        cue = first_cue(paragraph)
        if cue is None or not paragraph[:1].isupper():
            return None
        subject = paragraph[: cue.start()]
        if len(subject.split()) > 12 or re.search(r"[.;:“”\"]", subject):
            return None
        first = subject.split()[0].lower() if subject.split() else ""
        if first in _PRONOUNS and len(subject.split()) <= 2:  # "She also said…"
            speaker = self._last_spoken(first)
            if first in ("he", "she") and speaker is not None and not speaker.is_person:
                return None
            return speaker
        speaker = self.resolve(subject, reference=False)
        if speaker and speaker.is_person and " " not in speaker.name:
            return None  # a lone capitalised first word is as likely "Reporters"
        return speaker

    def resolve(self, phrase, *, reference=True):
        """The Speaker the words that name who spoke stand for, or None."""
        phrase = " ".join(phrase.split()).strip(" ,;:—–-.")
        words = phrase.split()
        if not words or len(words) > 40:
            return None
        if phrase.lower() in _PRONOUNS:
            return self._pronoun(phrase.lower()) if reference else None
        head, extras = _split_subject(phrase)
        if not head:
            return None
        lower = head.lower()
        if lower in _PRONOUNS:
            return self._pronoun(lower) if reference else None
        if lower in _RELATIVES:
            return None  # "a plan that shows": the subject is the plan, not a speaker
        if match := DOCUMENT.fullmatch(head):
            return self._issuer(head, match["owner"])
        role = ", ".join(extras)
        head = re.sub(r"^(?:The|A|An|This|That)\s", lambda m: m.group().lower(), head)
        if not any(character.isupper() for character in head):
            return self._unnamed(head, role, reference)
        possessed = re.split(r"['’]s\s", head, maxsplit=1)
        if len(possessed) == 2 and _is_name(possessed[1]):
            # "the Herald's Maria Lopez": a person, and whom she is with
            if (person := self._named(possessed[1], role, None)) is not None:
                owner = re.sub(r"^the\s+", "", possessed[0], flags=re.IGNORECASE)
                return replace(person, organisation=person.organisation or owner)
        if len(possessed) == 2 and not any(c.isupper() for c in possessed[1]):
            # "Clinton’s campaign", "the group’s leadership": a body, not a person.
            return Speaker(head, is_organisation=True, role=role)
        tokens = head.split()
        if (
            len(tokens) > 1
            and tokens[0][:1].isupper()
            and tokens[1][:1].islower()
            and not _is_name_token(tokens[-1])
            and not _NAME_PARTICLES.fullmatch(tokens[1])
            and tokens[0].casefold() not in self.full_names
            and tokens[0].casefold() not in self.introduced
        ):
            # "Lawmakers from the Kurdish bloc boycotted the vote": a capital that only
            # opens the sentence, not a name.
            return self._unnamed(head[:1].lower() + head[1:], role, reference)
        classified = classify_speaker(head)
        if classified is not None and classified[1]:
            return Speaker(classified[0], is_organisation=True, role=role)
        return self._named(head, role, classified)

    def _named(self, head, role, classified):
        head, affiliation = _split_affiliation(head)
        role = _joined(affiliation, role)
        tokens = head.split()
        name = []
        for token in reversed(tokens):
            if _is_name_token(token):
                name.insert(0, token)
            else:
                break
        while name and (name[0].lower().strip(".") in _TITLES or not name[0][:1].isupper()):
            name.pop(0)
        suffix = name[-1:] if len(name) > 2 and _SUFFIX.fullmatch(name[-1]) else []
        name = name[: len(name) - len(suffix)]
        titles = [i for i, token in enumerate(name[:-1]) if token.lower().strip(".") in _TITLES]
        if titles:  # "Prime Minister Ana Ruiz": the name follows the last title
            name = name[titles[-1] + 1 :]
        elif len(name) > 2 and len(tokens) > len(name) and tokens[-len(name) - 1] == "of":
            # "Secretary of Homeland Security Jeh Johnson": the office's words run into
            # the name; a name is its last two words, with a middle initial three.
            name = name[-3:] if re.fullmatch(r"[A-Z]\.", name[-2]) else name[-2:]
        elif len(name) > 3 and not re.fullmatch(r"[A-Z]\.|[JS]r\.?|I+|[a-z].*", name[-2]):
            # "House Republican Thomas Massie": capitalised words of a description run
            # into the name; four-word names with no initial or particle are rare.
            name = name[-2:]
        while len(name) > 2 and name[0].endswith(("'s", "’s")):
            name = name[1:]  # "the Herald's Maria Lopez": whose, then who
        name += suffix
        if not name and (cut := _subject_before_verb(tokens)):
            # "Clinton campaign manager Robby Mook released a memo": the name ends the
            # words before the verb, and what comes before it describes them.
            tokens, name = cut
        if not name and tokens[0][:1].isupper() and tokens[0].lower() not in _TITLES:
            # "Donald Trump is once again": the subject is the name the clause opens on.
            for token in tokens:
                if not _NAME_TOKEN.fullmatch(token):
                    break
                name.append(token)
            tokens = name[:]
        if not name:
            if classified is not None:
                return Speaker(classified[0], role=role)
            return None
        prefix = " ".join(tokens[: len(tokens) - len(name)])
        if prefix.lower().strip(".") in _HONORIFICS:
            prefix = ""
        if len(name) == 1:
            if known := self.introduced.get(name[0].casefold()):
                return _described(known, ", ".join(part for part in (prefix, role) if part))
            full = self.full_names.get(name[0].casefold(), name[0])
            if not prefix:
                prefix = self.titles.get(name[0].casefold(), "")  # "President", as first named
            name = full.split()
        full_role = ", ".join(part for part in (prefix, role) if part)
        speaker = self._person(" ".join(name), full_role)
        if len(name) > 1:
            self._introduce(speaker)
        return speaker

    def _person(self, name, role):
        organisation = ""
        if match := _ORGANISATION_IN_ROLE.search(role):
            organisation = match["organisation"].strip()
        else:
            leading = []
            for token in role.split():
                if not token[:1].isupper() or token.lower().strip(".,") in _TITLES:
                    break
                leading.append(token)
            if leading and len(leading) < len(role.split()):
                organisation = " ".join(leading)
        return Speaker(name, is_person=True, role=role, organisation=organisation)

    def _introduce(self, speaker):
        key = speaker.name.split()[-1].casefold()
        known = self.introduced.get(key)
        if known is None or (speaker.role and not known.role) or known.name != speaker.name:
            self.introduced[key] = speaker

    def _unnamed(self, head, role, reference):
        """ "the commander" → the commander introduced before; "a security official",
        "officials" → an unnamed source."""
        words = head.lower().split()
        if reference and words[0] in ("the", "this", "that"):
            noun = words[-1]
            for speaker in reversed([*self.introduced.values(), *self.speakers]):
                # "Ana Ruiz, who questioned whether the judge was biased" is no judge:
                # what she is, not what a clause about her mentions.
                described = _RELATIVE_IN_ROLE.split(speaker.role.lower())[0]
                if speaker.is_person and noun in described.split():
                    return speaker
            if noun in _ORGANISATION_WORDS:
                for speaker in reversed(self.speakers):
                    if speaker.is_organisation and noun in speaker.name.lower():
                        return speaker
        for index, word in enumerate(words[1:], start=1):
            if word.endswith("ed") and words[index - 1] in _DETERMINERS:
                continue  # "the retired neurosurgeon": a description, not its verb
            if word.endswith("ed") or word in ("is", "are", "was", "were", "has", "have", "had"):
                # "several environmental groups granted …": the subject ends at its verb.
                words = words[:index]
                head = " ".join(head.split()[:index])
                break
        if words[0] in _PRONOUNS and words[0] != "it":  # "he was hoping", "he taught law"
            return self._pronoun(words[0]) if reference else None
        # "a source close to the campaign": "to" there opens no clause.
        clause_words = {w for i, w in enumerate(words[1:], 1) if words[i - 1] != "close"}
        if len(words) > 10 or words[0] in _NOT_A_SUBJECT_START or _NOT_IN_A_SUBJECT & clause_words:
            return None  # a clause or an adverbial, not someone
        return Speaker(" ".join([head, role]).strip() if not role else f"{head}, {role}")

    def _pronoun(self, pronoun):
        # "Omar al-Jubouri, who leads the group, said it had…" in the paragraph before:
        # "he" is him rather than whoever was quoted earlier.
        if self.current - 1 > self.spoke_in and pronoun not in ("it", "they", "we"):
            named = self.named_speaking_in(self.current - 1) if self.current > 1 else None
            if named is not None and named.is_person and self._agrees(named, pronoun):
                return named
        return self._last_spoken(pronoun)

    def _sex(self, speaker):
        if sex := self.sexes.get(speaker.name.split()[-1].casefold()):
            return sex
        feminine, masculine = _FEMININE.search(speaker.role), _MASCULINE.search(speaker.role)
        if bool(feminine) != bool(masculine):
            return "she" if feminine else "he"
        return None

    def _agrees(self, speaker, pronoun):
        """Whether "he" or "she" can stand for this person, as far as the text shows."""
        wanted = {"he": "he", "him": "he", "she": "she", "her": "she"}.get(pronoun)
        return wanted is None or self._sex(speaker) in (None, wanted)

    def _last_spoken(self, pronoun):
        if pronoun in ("he", "she", "him", "her", "i"):
            people = [s for s in self.speakers if s.is_person]
            # "she" after a spokeswoman and a budget chief quoted in turn is the
            # spokeswoman: the text shows her sex and not his. Not so for "he": men are
            # most of those quoted, and "chairman" marks one no more than the rest.
            recent = list(dict.fromkeys(reversed(people)))[:_SALIENT_PEOPLE]
            shown = [s for s in recent if pronoun == "she" and self._sex(s) == "she"]
            wanted = shown[:1] or [s for s in people if self._agrees(s, pronoun)] or people
            wanted = wanted or list(self.introduced.values())
        elif pronoun == "it":
            wanted = [s for s in self.speakers if s.is_organisation]
        else:
            wanted = []
        wanted = wanted or self.speakers
        if wanted:
            return wanted[-1]
        if self.mentioned and pronoun not in ("it", "they", "we"):
            # No one has spoken yet: the person the article named last.
            name = self.mentioned[-1]
            return self.introduced.get(name.split()[-1].casefold()) or self._person(name, "")
        return None

    def _issuer(self, head, owner):
        """Who issued the statement, letter or report the text quotes."""
        if not owner and (named := _OWNER_BEFORE_DOCUMENT.match(head)):
            owner = named["owner"]  # "the Heritage Foundation website"
        if owner and not _CALENDAR.fullmatch(owner):
            if speaker := self.resolve(owner):
                return speaker
        # "The ad says" is whoever issued an ad, not the last statement's issuer.
        kind = _document_kind(head)
        for issued, speaker in reversed(self.issuers):
            if issued == kind:
                return speaker
        return Speaker(head)  # no one the text names issued it: the document as written


def _subject_before_verb(tokens):
    """(subject tokens, name tokens) when the tokens run on past a described name into
    its verb, or None."""
    for index, token in enumerate(tokens[1:], start=1):
        if not token[:1].islower():
            continue
        if not (token.endswith("ed") or token in _VERBS_AFTER_A_SUBJECT):
            continue  # "campaign manager": a description before the name
        subject, name = tokens[:index], []
        for word in reversed(subject):
            if not _NAME_TOKEN.fullmatch(word) or word.lower().strip(".") in _TITLES:
                break
            name.insert(0, word)
        if 2 <= len(name) <= 3 and len(name) < len(subject):
            return subject, name
        return None
    return None


def _split_affiliation(head):
    """ "Robert Antonacci of the New York delegation" → ("Robert Antonacci", "of the New
    York delegation"): whom a named person belongs to is part of how the text describes
    them. Not "Secretary of State John Kerry" nor "Bank of America": the words before
    "of" must be a name, and what follows it no title or clause."""
    match = _AFFILIATION.search(head)
    if match is None:
        return head, ""
    name, rest = head[: match.start()].split(), head[match.start() :].strip()
    if not name or not all(_NAME_TOKEN.fullmatch(token) for token in name[-2:]):
        return head, ""
    if {token.lower().strip(".,") for token in name} & (_TITLES | _ORGANISATION_WORDS):
        return head, ""
    if {word.lower().strip(".,") for word in rest.split()} & (_TITLES | _NOT_IN_A_SUBJECT):
        return head, ""
    return " ".join(name), rest


def _described(known, role):
    """The person introduced before, with what this mention adds about them: "said
    Gonzalez, 55, of Brigantine" after "Mayra Gonzalez, a cook at the Taj"."""
    if not role or role.casefold() in known.role.casefold():
        return known
    organisation = known.organisation
    if not organisation and (match := _ORGANISATION_IN_ROLE.search(role)):
        organisation = match["organisation"].strip()
    return replace(known, role=_joined(known.role, role), organisation=organisation)


def _joined(*descriptions):
    return "; ".join(part for part in descriptions if part)


def _name_before(text, end):
    """The two to four capitalised words just before `end`, if they make a name."""
    tokens = text[max(0, end - 80) : end].split()
    name = []
    for token in reversed(tokens[-4:]):
        if not _NAME_TOKEN.fullmatch(token):
            break
        name.insert(0, token)
    while name and name[0].lower() in LEADING_WORDS | {"the", "a", "an"}:
        name.pop(0)
    return " ".join(name) if len(name) >= 2 else ""


# A title quoted inside a phrase: "the co-author of “Going Viral,” about rumours".
_TITLE = re.compile(r"(?<=[\w,’'] )[“\"](?P<title>[A-Z][^“”\"]{0,60}?)(?P<comma>,?)[”\"]")


def titles(text):
    """The quoted titles of a text, as matches: a few words in title case, quoted inside a
    phrase rather than opening a statement."""
    return filter(_title_case, _TITLE.finditer(text))


def title_at(text, start):
    """The quoted title whose opening mark stands at `start`, or None."""
    match = _TITLE.match(text, start)
    return match if match and _title_case(match) else None


def _title_case(match):
    words = match["title"].split()
    return len(words) <= 6 and all(word[:1].isupper() for word in words if len(word) > 3)


def title_commas_outside(text):
    """The text with each title's closing comma moved outside its quotation mark
    (“Going Viral,” → “Going Viral”,), so that the comma parts the phrase and not the
    title. As long as the text: offsets stay."""
    characters = list(text)
    for match in titles(text):
        if match["comma"]:
            at = match.start("comma")
            characters[at], characters[at + 1] = characters[at + 1], ","
    return "".join(characters)


def _split_subject(phrase):
    """ "In an interview, Jane Smith (D-Ohio), a spokeswoman for the ministry" →
    ("Jane Smith", ["(D-Ohio)", "a spokeswoman for the ministry"]): the words naming the
    speaker, and what the text says about them."""
    phrase = title_commas_outside(phrase)
    extras = [m.group().strip() for m in _PARENTHESIS.finditer(phrase)]
    phrase = _PARENTHESIS.sub("", phrase)
    parts = [part.strip() for part in phrase.split(",") if part.strip()]
    while len(parts) > 1 and _is_leading(parts[0]):
        parts.pop(0)
    if not parts:
        return "", []
    head = parts[0]
    if re.match(r"(?:a|an|the)\s", head, re.I) or "’s " in head or "'s " in head:
        # "a Red Crescent coordinator in Sinjar, Salim Qasim": the name after the role.
        for index, part in enumerate(parts[1:], start=1):
            if _is_name(part):
                return part, [head, *extras, *parts[1:index], *parts[index + 1 :]]
    words = head.split()
    while len(words) > 1 and words[0].lower() in {"but", "and", "so", "yet", "also", "then"}:
        words.pop(0)
    return " ".join(words), extras + parts[1:]


def _is_name_token(token):
    return bool(_NAME_TOKEN.fullmatch(token) or _NAME_PARTICLES.fullmatch(token))


def _is_name(part):
    tokens = part.split()
    if not 1 < len(tokens) <= 5 or tokens[0].lower().strip(".") in _TITLES - _HONORIFICS:
        return False
    return all(_is_name_token(t) for t in tokens)


def _is_leading(part):
    """An adverbial before the subject: "In an interview", "On Monday", "Asked about it"."""
    words = part.lower().split()
    if words[0] in _CONJUNCTIONS and len(words) > 1:
        # "But Sen. Jane Smith (D-Ohio)": a conjunction opens the subject as readily
        return _is_leading(" ".join(words[1:]))
    if words[0] in LEADING_WORDS or _CALENDAR.fullmatch(words[0]):
        return True
    if len(words) == 1 and words[0].endswith(("ated", "ened", "ied", "ssed", "ally", "ingly")):
        return True  # "Frustrated, Sanders said", "Laughing, she said"
    # "Several weeks ago", "Last Monday night"
    return len(words) <= 5 and (words[-1] == "ago" or any(_CALENDAR.fullmatch(w) for w in words))
