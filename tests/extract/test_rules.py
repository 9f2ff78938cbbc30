"""One focused test per extraction rule, on small snippets shaped like the real corpus."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from tests.extract.helpers import credits, works, years


@pytest.mark.parametrize(
    "body",
    [
        "**Elmer Bernstein’s** western soundscapes for _The Magnificent Seven_ became famous.",
        "**Elmer Bernstein**’s western soundscapes for _The Magnificent Seven_ became famous.",
        "**Elmer Bernstein's** western soundscapes for _The Magnificent Seven_ became famous.",
    ],
)
def test_possessive_inside_or_outside_bold_curly_or_straight(body: str) -> None:
    assert credits(body) == {"The Magnificent Seven": "Elmer Bernstein"}


def test_s_apostrophe_possessive() -> None:
    assert credits("Think of **John Williams’** theme for _Star Wars_ today.") == {
        "Star Wars": "John Williams"
    }


@pytest.mark.parametrize("name", ["Earth, Wind & Fire", "H.E.R.", "D’Angelo", "A. R. Rahman"])
def test_names_with_punctuation(name: str) -> None:
    assert credits(f"Fans still love _Golden Hour_ by **{name}** in clubs.") == {"Golden Hour": name}


def test_punctuation_inside_emphasis() -> None:
    found = credits("Bands such as **The Seatbelts** for _Cowboy Bebop,_ won fans. **Jo** wrote _E.T._ too.")
    assert found == {"Cowboy Bebop": "The Seatbelts", "E.T.": "Jo"}


def test_emphasis_broken_across_lines() -> None:
    body = (
        "**Max\nSteiner** stands out. His work on _King\nKong_ (1933) and _Saturday Night Fever_\n(1977) won."
    )
    found = works(body)
    assert [(w.artist, w.title, w.year) for w in found] == [
        ("Max Steiner", "King Kong", 1933),
        ("Max Steiner", "Saturday Night Fever", 1977),
    ]


def test_title_by_artist_and_artist_with_title_in_parentheses() -> None:
    body = (
        "Films such as _Blade Runner_ by **Vangelis** shimmer. See **Nobuo Uematsu** (_Final Fantasy_) too."
    )
    assert credits(body) == {"Blade Runner": "Vangelis", "Final Fantasy": "Nobuo Uematsu"}


def test_possessive_title_soundtrack_and_year() -> None:
    found = works("**Vangelis**’s _Blade\nRunner_ soundtrack (1982) set the tone.")
    assert [(w.artist, w.title, w.year, w.kind) for w in found] == [
        ("Vangelis", "Blade Runner", 1982, "soundtrack")
    ]


def test_list_of_titles_after_one_artist() -> None:
    found = credits("**Alan Menken**’s _The Little Mermaid_, _Aladdin_ and _Hercules_ defined an era.")
    assert found == {"The Little Mermaid": "Alan Menken", "Aladdin": "Alan Menken", "Hercules": "Alan Menken"}


def test_year_belongs_to_its_own_title() -> None:
    assert years("**Ennio Morricone** scored _A Fistful of Dollars_ (1964) and _Navajo Joe_.") == {
        "A Fistful of Dollars": 1964,
        "Navajo Joe": None,
    }


def test_year_in_prose_and_before_the_title() -> None:
    found = years(
        "**Us3** had _Cantaloop_\nin 1993. The 1967 film _The Graduate_ used **Simon & Garfunkel**."
    )
    assert found == {"Cantaloop": 1993, "The Graduate": 1967}


def test_pronoun_resolves_to_the_paragraph_artist() -> None:
    body = (
        "**Hans Zimmer**, a German-born composer, broke away. His score for _The Lion King_ (1994) travelled."
    )
    found = works(body)
    assert [(w.artist, w.title, w.year) for w in found] == [("Hans Zimmer", "The Lion King", 1994)]
    assert found[0].confidence < 0.75


def test_surname_resolves_to_the_full_name_used_earlier() -> None:
    body = "**Ennio Morricone** changed westerns.\n\nLater, Morricone’s work on _The Mission_ was praised."
    assert credits(body) == {"The Mission": "Ennio Morricone"}


def test_unbolded_name_before_a_title() -> None:
    assert credits("Similarly, Curtis Mayfield’s _Super Fly_ (1972) gave voice to the city.") == {
        "Super Fly": "Curtis Mayfield"
    }


@pytest.mark.parametrize(
    "body",
    [
        "Directors like **Quentin Tarantino** curated songs for _Pulp Fiction_.",
        "**Quentin Tarantino** curated songs for _Pulp Fiction_. Later, director Quentin Tarantino rested.",
        "**Hayao Miyazaki**’s films such as _Spirited Away_ are loved.",
        "Conductors like **Gustavo Dudamel** led _Star Wars: The Force Awakens’_ concerts.",
        "The **World Soundtrack Awards** honoured _Arrival_.",
        "Fans of **Studio Ghibli** love _Ponyo_.",
    ],
)
def test_directors_conductors_studios_and_awards_are_never_credited(body: str) -> None:
    assert all(work.artist is None for work in works(body))


def test_director_cue_keeps_the_composer() -> None:
    body = "**Joe Hisaishi** created scores for **Hayao Miyazaki**’s films such as _Spirited Away_ (2001)."
    assert credits(body) == {"Spirited Away": "Joe Hisaishi"}


@pytest.mark.parametrize(
    "body",
    [
        "_Bollywood_ soundtracks are loved.",
        "Her _melisma_ and _phrasing_ shine.",
        "They used _Akai_ and _E-mu_ samplers and _Fender Rhodes_ pianos.",
        "Tokyo’s _Blue Note_ club booked them.",
        "Fans visit the _Hans Zimmer Live_ tour.",
        "Early sequencers, such as the _Roland MC-500_, helped.",
        "The 1976 New York magazine _Punk_ named it.",
    ],
)
def test_italics_that_are_not_works(body: str) -> None:
    assert works(body) == []


def test_italic_name_known_from_bold_is_a_person() -> None:
    body = "**Vangelis** wrote a lot.\n\nThe synthesizers _Vangelis_ used in _Chariots of Fire_ (1981) shine."
    assert credits(body) == {"Chariots of Fire": "Vangelis"}


def test_title_without_artist_has_low_confidence() -> None:
    found = works("Games like _Undertale_ respond to the player.")
    assert [(w.artist, w.title) for w in found] == [(None, "Undertale")]
    assert found[0].confidence <= 0.3


def test_works_in_quotes_when_the_article_has_no_emphasis() -> None:
    body = (
        "Max Steiner prägte Filme wie „Vom Winde verweht“ und „Casablanca“. Max Steiner blieb treu.\n\n"
        'Canciones como "Garota de Ipanema" y « Asa Branca » sonaban. Das „Silent Film“-Format lebt.'
    )
    found = works(body)
    assert [w.title for w in found] == ["Vom Winde verweht", "Casablanca", "Garota de Ipanema", "Asa Branca"]
    assert [w.artist for w in found[:2]] == ["Max Steiner", "Max Steiner"]


def test_quotes_are_not_works_when_the_article_uses_italics() -> None:
    assert [w.title for w in works("The “talkies” arrived with _The Jazz Singer_ (1927).")] == [
        "The Jazz Singer"
    ]


def test_bold_title_with_year_is_a_work() -> None:
    assert [(w.title, w.year) for w in works("**The Jazz Singer** (1927) introduced sound.")] == [
        ("The Jazz Singer", 1927)
    ]


def test_name_from_frontmatter_credits_plain_mentions() -> None:
    body = "Her song “Milord” was a hit. Later Édith Piaf sang “Padam Padam”."
    found = works(body, {"name": "Édith Piaf"})
    assert [(w.artist, w.title) for w in found] == [(None, "Milord"), ("Édith Piaf", "Padam Padam")]


def test_duplicates_merge_and_fill_year_and_artist_from_later_mentions() -> None:
    body = "Films like _Star Wars_ thrilled.\n\n**John Williams** wrote _Star Wars_ (1977) in a hurry."
    found = works(body, body_start_line=10)
    assert [(w.artist, w.title, w.year, w.evidence.line) for w in found] == [
        ("John Williams", "Star Wars", 1977, 10)
    ]


def test_evidence_is_the_file_line_and_the_sentence_without_markup() -> None:
    body = "## Heading\n\nIntro text here.\nSecond line with **Vangelis**’s _Blade\nRunner_ (1982). Next one."
    [work] = works(body, body_start_line=26)
    assert work.evidence.line == 29
    assert work.evidence.text == "Second line with Vangelis’s Blade Runner (1982)."


def test_code_links_html_and_mdx_components_are_not_prose() -> None:
    body = (
        'import Figure from "@components/Figure.astro";\n\n'
        '<Figure\n  heading="About _Fake Title_ (1999)"\n/>\n\n'
        "```\n**Nobody**’s _Code Title_\n```\n\n"
        "<div>_Html Title_</div>\n\n"
        "Read [the _Linked Title_ review](https://x.org) by **Someone**. **Björk**’s _Debut_ (1993) won."
    )
    assert credits(body) == {"Linked Title": "Someone", "Debut": "Björk"}


def test_frontmatter_lists_with_lines_from_ruamel() -> None:
    text = (
        'name: "Aretha Franklin"\nkeyAlbums:\n  - Lady Soul (1968)\n  - " Caetano (1971)"\n'
        "keySongs:\n"
        '  - "(You Make Me Feel Like) A Natural Woman (1967) - Signature song"\n  - La Vie en Rose\n'
    )
    data = YAML().load(text)
    found = works("", data, body_start_line=10)
    assert [(w.artist, w.title, w.year, w.kind, w.evidence.line) for w in found] == [
        ("Aretha Franklin", "Lady Soul", 1968, "album", 4),
        ("Aretha Franklin", "Caetano", 1971, "album", 5),
        ("Aretha Franklin", "(You Make Me Feel Like) A Natural Woman", 1967, "song", 7),
        ("Aretha Franklin", "La Vie en Rose", None, "song", 8),
    ]


def test_frontmatter_lists_from_a_plain_dict_use_line_one() -> None:
    found = works("", {"name": "Björk", "keyAlbums": ["Debut (1993)"]})
    assert [(w.title, w.year, w.evidence.line) for w in found] == [("Debut", 1993, 1)]


@pytest.mark.parametrize(
    "body",
    [
        "Electronic scores, such as those by **Vangelis** or in _Tron_ (1982), divided critics.",
        "Electronic scores such as _Tron_ (1982), or **Vangelis**, divided critics.",
    ],
)
def test_no_credit_across_an_alternative(body: str) -> None:
    assert credits(body) == {"Tron": None}


def test_or_inside_a_title_list_still_credits() -> None:
    assert credits("**John Williams** wrote themes for _Jaws_, _E.T._, or _Hook_.") == {
        "Jaws": "John Williams",
        "E.T.": "John Williams",
        "Hook": "John Williams",
    }
