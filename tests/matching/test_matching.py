"""Matching traps from real users' complaints (anchors §3), one table row each."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.matching.factories import album, cand, work
from worker.config import MatchingSettings
from worker.matching import (
    artist_similarity,
    choose,
    normalize_title,
    representative_tracks,
    same_recording,
    score_candidate,
)
from worker.model import Candidate, Work

SETTINGS = MatchingSettings()

QUEEN = work("Bohemian Rhapsody", "Queen", 1975)
BLADE_RUNNER = work("Blade Runner", "Vangelis", 1982, "soundtrack")
SWEET_CHILD = work("Sweet Child O' Mine", "Guns N' Roses", 1987)
HOTEL = work("Hotel California", "Eagles", 1976)

# (trap name, work, the recording the article means, the version it did not mean)
TRAPS: list[tuple[str, Work, Candidate, Candidate]] = [
    (
        "karaoke",
        QUEEN,
        cand("Bohemian Rhapsody", "Queen", release_year=1975),
        cand("Bohemian Rhapsody (Karaoke Version)", "Karaoke All Stars", release_year=2015),
    ),
    (
        "in the style of",
        QUEEN,
        cand("Bohemian Rhapsody - Remastered 2011", "Queen", release_year=1975),
        cand("Bohemian Rhapsody (In the Style of Queen)", "Ameritz Top Tracks", release_year=2012),
    ),
    (
        "tribute orchestra",
        BLADE_RUNNER,
        album("Blade Runner (Original Motion Picture Soundtrack)", "Vangelis", release_year=1994),
        cand(
            'Main Theme (From "Blade Runner")',
            "London Music Works",
            album="Blade Runner: Music from the Film",
            album_type="compilation",
            release_year=2012,
        ),
    ),
    (
        "tribute orchestra, article without artist",
        work("Blade Runner", None, 1982, "soundtrack"),
        album("Blade Runner (Original Motion Picture Soundtrack)", "Vangelis", release_year=1982),
        album("Blade Runner", "London Music Works", release_year=1982, album_type="compilation"),
    ),
    (
        "lullaby",
        SWEET_CHILD,
        cand("Sweet Child O' Mine", "Guns N' Roses", release_year=1987),
        cand("Sweet Child O' Mine", "Rockabye Baby!", album="Lullaby Renditions of Guns N' Roses"),
    ),
    (
        "8-bit",
        SWEET_CHILD,
        cand("Sweet Child O' Mine", "Guns N' Roses", release_year=1987),
        cand("Sweet Child O' Mine (8-Bit Version)", "8-Bit Arcade", release_year=2014),
    ),
    (
        "cover by another artist",
        work("Hallelujah", "Leonard Cohen", 1984),
        cand("Hallelujah", "Leonard Cohen", release_year=1984),
        cand("Hallelujah", "Jeff Buckley", release_year=1994),
    ),
    (
        "live",
        HOTEL,
        cand("Hotel California - 2013 Remaster", "Eagles", release_year=1976),
        cand("Hotel California - Live", "Eagles", release_year=1994, album="Hell Freezes Over"),
    ),
    (
        "piano version",
        HOTEL,
        cand("Hotel California", "Eagles", release_year=1976),
        cand("Hotel California (Piano Version)", "Eagles", release_year=2019, album_type="single"),
    ),
    (
        "sped up",
        HOTEL,
        cand("Hotel California", "Eagles", release_year=1976),
        cand("Hotel California (Sped Up)", "Eagles", release_year=2023, album_type="single"),
    ),
    (
        "remaster against the original",
        work("Bridge over Troubled Water", "Simon & Garfunkel", 1970, "album"),
        album("Bridge over Troubled Water", "Simon & Garfunkel", release_year=1970),
        album(
            "Bridge over Troubled Water (40th Anniversary Edition)", "Simon & Garfunkel", release_year=2011
        ),
    ),
    (
        "King Kong 1933 vs 2005",
        work("King Kong", None, 1933, "soundtrack"),
        album("King Kong (Original Motion Picture Soundtrack)", "Max Steiner", release_year=1933),
        album("King Kong (Original Motion Picture Soundtrack)", "James Newton Howard", release_year=2005),
    ),
    (
        "Godzilla 1954 vs 1998",
        work("Godzilla", "Akira Ifukube", 1954, "soundtrack"),
        album("Godzilla (Original Motion Picture Soundtrack)", "Akira Ifukube", release_year=1954),
        album("Godzilla: The Album", "Various Artists", release_year=1998, album_type="compilation"),
    ),
    (
        "composer among several credits",
        work("Star Wars", "John Williams", 1977, "soundtrack"),
        album(
            "Star Wars (Original Motion Picture Soundtrack)",
            "John Williams",
            "London Symphony Orchestra",
            release_year=1977,
        ),
        album("Star Wars: A Musical Journey", "The City of Prague Philharmonic Orchestra", release_year=2016),
    ),
]


@pytest.mark.parametrize(("name", "the_work", "meant", "trap"), TRAPS, ids=[row[0] for row in TRAPS])
def test_the_meant_recording_wins_over_the_trap(name: str, the_work: Work, meant: Candidate, trap: Candidate):
    match = choose(the_work, [trap, meant], SETTINGS)

    assert match.status == "matched", match.parts
    assert match.candidate == meant
    assert match.ranked[0][0] == meant


NEVER_ALONE = [row for row in TRAPS if row[0] != "remaster against the original"]


@pytest.mark.parametrize(("name", "the_work", "meant", "trap"), NEVER_ALONE, ids=[r[0] for r in NEVER_ALONE])
def test_the_trap_alone_is_not_a_match(name: str, the_work: Work, meant: Candidate, trap: Candidate):
    match = choose(the_work, [trap], SETTINGS)

    assert match.status == "not_found"
    assert match.candidate is None
    assert match.parts is not None
    assert match.parts.reasons


@pytest.mark.parametrize(
    ("trap", "reason"),
    [
        (cand("Bohemian Rhapsody (Karaoke Version)", "Queen"), "karaoke version"),
        (cand("Bohemian Rhapsody - Live Aid", "Queen"), "live recording"),
        (cand("Bohemian Rhapsody (Live at Wembley)", "Queen"), "live recording"),
        (cand("Bohemian Rhapsody (Remix)", "Queen"), "remix"),
        (cand("Bohemian Rhapsody - Acoustic", "Queen"), "acoustic version"),
        (cand("Bohemian Rhapsody - Slowed + Reverb", "Queen"), "sped up / slowed version"),
        (cand("Bohemian Rhapsody (Instrumental)", "Queen"), "instrumental version"),
        (cand("Bohemian Rhapsody", "Queen", album="A Tribute to Queen"), "tribute recording"),
        (cand("Bohemian Rhapsody", "Rockabye Baby!"), "lullaby version"),
    ],
)
def test_each_unwanted_version_is_penalised_and_explained(trap: Candidate, reason: str):
    parts = score_candidate(QUEEN, trap)

    assert parts.penalty > 0
    assert reason in parts.reasons


@pytest.mark.parametrize(
    ("the_work", "candidate"),
    [
        (work("Live and Let Die", "Wings", 1973), cand("Live and Let Die", "Wings", release_year=1973)),
        (
            work("Live at Leeds", "The Who", 1970, "album"),
            album("Live at Leeds", "The Who", release_year=1970),
        ),
        (
            work("Blue Monday (Remix)", "New Order", 1988),
            cand("Blue Monday '88 (Remix)", "New Order", release_year=1988),
        ),
    ],
)
def test_a_work_that_is_itself_live_or_a_remix_is_not_penalised(the_work: Work, candidate: Candidate):
    parts = score_candidate(the_work, candidate)

    assert parts.penalty == 0
    assert choose(the_work, [candidate], SETTINGS).status == "matched"


def test_a_later_remaster_still_matches_when_it_is_the_only_recording():
    the_work = work("Bridge over Troubled Water", "Simon & Garfunkel", 1970, "album")
    remaster = album("Bridge over Troubled Water (Remastered)", "Simon & Garfunkel", release_year=2011)

    match = choose(the_work, [remaster], SETTINGS)

    assert match.status == "matched"
    assert match.parts is not None
    assert "later edition (remaster, deluxe, anniversary)" in match.parts.reasons


@pytest.mark.parametrize(
    ("artist", "credits"),
    [
        ("Björk", ("Bjork",)),
        ("Bjork", ("Björk",)),
        ("Rolling Stones", ("The Rolling Stones",)),
        ("The Rolling Stones", ("Rolling Stones, The",)),
        ("Simon and Garfunkel", ("Simon & Garfunkel",)),
        ("Ennio Morricone", ("Yo-Yo Ma", "Roma Sinfonietta", "Ennio Morricone")),
        ("Hans Zimmer", ("Hans Zimmer & Lisa Gerrard",)),
    ],
)
def test_artist_spellings_and_joint_credits_agree(artist: str, credits: tuple[str, ...]):
    assert artist_similarity(artist, credits) >= 0.95


@pytest.mark.parametrize(
    ("artist", "credits", "low", "high"),
    [
        ("Max Steiner", ("James Newton Howard",), 0.0, 0.5),
        ("Queen", ("Queen Latifah",), 0.0, 0.7),
        ("Dave Brubeck", ("The Dave Brubeck Quartet",), 0.85, 0.95),
    ],
)
def test_artist_similarity_separates_different_people(
    artist: str, credits: tuple[str, ...], low: float, high: float
):
    assert low <= artist_similarity(artist, credits) < high


@pytest.mark.parametrize(
    ("title", "normal"),
    [
        ("Blade Runner (Original Motion Picture Soundtrack)", "blade runner"),
        ("Here Comes the Sun - Remastered 2009", "here comes the sun"),
        ("Abbey Road (Super Deluxe Edition)", "abbey road"),
        ('Main Theme (From "Blade Runner")', "main theme"),
        ("Love Me feat. Someone Else", "love me"),
        ("Blade Runner OST", "blade runner"),
        ("Jóga", "joga"),
        ("Hotel California - Live", "hotel california live"),
        ("Live and Let Die", "live and let die"),
        ("Soundtrack", "soundtrack"),
        ("Jules et Jim (Bande originale du film)", "jules et jim"),
        ("La dolce vita (Colonna sonora originale)", "la dolce vita"),
    ],
)
def test_normalize_title_strips_edition_noise_but_keeps_versions(title: str, normal: str):
    assert normalize_title(title) == normal


def test_accents_and_soundtrack_suffix_do_not_cost_a_match():
    the_work = work("Jóga", "Björk", 1997)
    candidate = cand("Joga", "Bjork", release_year=1997)

    assert score_candidate(the_work, candidate).total == 1.0


def test_an_unplayable_recording_is_still_the_recording_meant():
    the_work = work("Blade Runner", "Vangelis", 1982, "soundtrack")
    locked = album("Blade Runner", "Vangelis", release_year=1982, playable=False)
    reissue = album("Blade Runner (25th Anniversary Edition)", "Vangelis", release_year=2007)

    match = choose(the_work, [reissue, locked], SETTINGS)

    assert match.status == "matched"
    assert match.candidate == locked
    assert "not playable in this market" in match.ranked[0][1].reasons


def test_a_playable_edition_wins_a_tie_with_an_unplayable_one():
    the_work = work("Blade Runner", "Vangelis", 1982, "soundtrack")
    locked = album("Blade Runner", "Vangelis", release_year=1982, playable=False)
    open_one = album("Blade Runner", "Vangelis", release_year=1982)

    match = choose(the_work, [locked, open_one], SETTINGS)

    assert match.candidate == open_one


def test_two_artists_fitting_equally_are_ambiguous_without_an_artist_in_the_article():
    the_work = work("Yesterday", None, 1965)
    beatles = cand("Yesterday", "The Beatles", release_year=1965, isrc="GBAYE0601477")
    cover = cand("Yesterday", "Matt Monro", release_year=1965, isrc="GBAYE6500123")

    match = choose(the_work, [beatles, cover], SETTINGS)

    assert match.status == "ambiguous"
    assert match.candidate is None
    assert {pair[0] for pair in match.ranked} == {beatles, cover}


def test_editions_of_one_recording_are_not_rivals():
    the_work = work("Yesterday", "The Beatles", 1965)
    original = cand("Yesterday", "The Beatles", release_year=1965, isrc="GBAYE0601477")
    remaster = cand("Yesterday - Remastered 2009", "The Beatles", release_year=1965, isrc="GBAYE0900001")
    same_isrc = cand("Yesterday (Mono)", "The Beatles", release_year=1965, isrc="GBAYE0601477")

    match = choose(the_work, [original, remaster, same_isrc], SETTINGS)

    assert match.status == "matched"


def test_a_close_different_recording_makes_it_ambiguous():
    the_work = work("Heroes", "David Bowie", 1977)
    single = cand("Heroes", "David Bowie", release_year=1977, album_type="single")
    german = cand("Helden", "David Bowie", release_year=1977)
    german_parts = score_candidate(the_work, german)
    close = MatchingSettings(ambiguous_gap=1.0 - german_parts.total)

    assert choose(the_work, [single, german], close).status == "ambiguous"
    assert choose(the_work, [single, german], SETTINGS).status == "matched"


def test_weak_candidates_are_not_found_even_when_search_returned_some():
    the_work = work("Tubular Bells", "Mike Oldfield", 1973, "album")
    unrelated = [album("Bells of Tubular", "The Bell Choir", release_year=2001), cand("Tubes", "Tube")]

    match = choose(the_work, unrelated, SETTINGS)

    assert match.status == "not_found"
    assert match.candidate is None
    assert match.score < SETTINGS.accept


def test_no_candidates_is_not_found_with_no_parts():
    match = choose(work("Anything"), [], SETTINGS)

    assert (match.status, match.parts, match.ranked, match.score) == ("not_found", None, (), 0.0)


def test_ranked_keeps_the_best_five_best_first():
    the_work = work("Yesterday", "The Beatles", 1965)
    many = [cand("Yesterday", "The Beatles", release_year=1965 + 2 * n) for n in range(8)]

    match = choose(the_work, list(reversed(many)), SETTINGS)

    totals = [parts.total for _, parts in match.ranked]
    assert len(totals) == 5
    assert totals == sorted(totals, reverse=True)
    assert match.ranked[0][0] == many[0]


# --- representative tracks ----------------------------------------------------------------------------

KONG = work("King Kong", "Max Steiner", 1933, "soundtrack")


def track(number: int | None, title: str, **fields: object) -> Candidate:
    return cand(title, "Max Steiner", album="King Kong", track_number=number, **fields)


SCORE_TRACKS = [
    track(3, "Love Theme"),
    track(1, "Prologue"),
    track(4, "King Kong Rampage"),
    track(2, "Main Title"),
    track(5, "Finale"),
]


@pytest.mark.parametrize(
    ("tracks", "policy", "count", "expected"),
    [
        (SCORE_TRACKS, ["theme", "opening"], 1, ["Main Title"]),
        (SCORE_TRACKS, ["theme", "opening"], 3, ["Main Title", "Love Theme", "King Kong Rampage"]),
        (
            SCORE_TRACKS,
            ["theme", "opening"],
            5,
            ["Main Title", "Love Theme", "King Kong Rampage", "Prologue", "Finale"],
        ),
        (SCORE_TRACKS, ["opening"], 2, ["Prologue", "Main Title"]),
        ([track(2, "Dance"), track(1, "Overture")], ["theme", "opening"], 1, ["Overture"]),
        (
            [track(1, "Main Title", playable=False), track(2, "Escape")],
            ["theme", "opening"],
            1,
            ["Main Title"],
        ),
        ([track(None, "B"), track(None, "A")], ["opening"], 1, ["B"]),
        ([], ["theme", "opening"], 1, []),
    ],
)
def test_representative_tracks_follow_the_policy(
    tracks: list[Candidate], policy: list[str], count: int, expected: list[str]
):
    assert [t.title for t in representative_tracks(KONG, tracks, policy, count)] == expected


def test_a_title_track_spelt_without_the_space_stands_for_the_album():
    super_fly = work("Super Fly", "Curtis Mayfield", 1972, "soundtrack")
    tracks = [
        cand("Pusherman", "Curtis Mayfield", track_number=2),
        cand("Superfly", "Curtis Mayfield", track_number=9),
    ]

    assert [t.title for t in representative_tracks(super_fly, tracks, ["theme", "opening"], 1)] == [
        "Superfly"
    ]


# --- cross-service identity ---------------------------------------------------------------------------


def deezer(title: str, **fields: object) -> Candidate:
    return cand(title, "Vangelis", service="deezer", **fields)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            cand("Tears in Rain", "Vangelis", isrc="GBX1", duration_ms=180_000),
            deezer("Tears in Rain", isrc="GBX1", duration_ms=181_500),
            True,
        ),
        (
            cand("Tears in Rain", "Vangelis", isrc="GBX1", duration_ms=180_000),
            deezer("Tears in Rain", isrc="GBX1", duration_ms=190_000),
            False,
        ),
        (
            cand("Tears in Rain", "Vangelis", isrc="GBX1", duration_ms=180_000),
            deezer("Tears in Rain", isrc="GBX2", duration_ms=180_000),
            False,
        ),
        (
            cand("Tears in Rain", "Vangelis", isrc="GBX1", duration_ms=180_000),
            deezer("Tears in Rain - Remastered", duration_ms=180_000),
            True,
        ),
        (
            cand("Tears in Rain", "Vangelis", isrc="GBX1", duration_ms=180_000),
            cand("Love Theme", "London Music Works", service="deezer", isrc="GBX1", duration_ms=180_000),
            False,
        ),
        (
            cand("The Good, the Bad and the Ugly - Main Title", "Ennio Morricone", isrc="IT1", duration_ms=1),
            cand("Il buono, il brutto, il cattivo (Titoli)", "Ennio Morricone", isrc="IT1", duration_ms=1),
            True,
        ),
        (
            cand("Tears in Rain", "Vangelis", duration_ms=180_000),
            deezer("Love Theme", duration_ms=180_000),
            False,
        ),
        (
            cand("Tears in Rain", "Vangelis", isrc="GBX1"),
            deezer("Tears in Rain", isrc="GBX1", duration_ms=180_000),
            False,
        ),
    ],
    ids=[
        "isrc and duration agree",
        "isrc equal, 10 s off",
        "isrc differs",
        "one side without isrc",
        "titles and performers differ",
        "same isrc and performer, translated title",
        "titles differ, no isrc",
        "duration unknown",
    ],
)
def test_same_recording(a: Candidate, b: Candidate, same: bool):
    assert same_recording(a, b, tolerance_s=3.0) is same


def test_shared_and_the_in_two_band_names_is_no_evidence():
    assert artist_similarity("Snowboy and the Latin Section", ("Art Blakey & The Jazz Messengers",)) < 0.5


def test_without_an_artist_a_candidate_of_unknown_year_cannot_be_the_dated_work():
    jazz_singer = work("The Jazz Singer", None, 1927, "soundtrack")
    undated = album("The Jazz Singer", "Neil Diamond", release_year=None)

    assert choose(jazz_singer, [undated], SETTINGS).status == "not_found"


@pytest.mark.parametrize(
    ("title", "candidate_title", "fit"),
    [
        ("E.T.", "Flying (Theme from E.T.)", 1.0),
        ("The Last Emperor", "The Last Emperor (Theme)", 1.0),
        ("Kill Bill", "Kill Bill Vol. 1 (Original Soundtrack)", 1.0),
        ("Kill Bill", "Kill Bill Vol. 2 (Original Soundtrack)", 0.85),
        ("Assassin's Creed", "Assassin's Creed 2 (Original Game Soundtrack)", 0.85),
        ("Superman", "Superman: The Movie (Original Motion Picture Soundtrack)", 0.85),
        ("Twin Peaks", "Music from Twin Peaks", 1.0),
        ("Red Dead Redemption 2", "The Music of Red Dead Redemption 2 (Original Score)", 1.0),
        ("Saturday Night Fever", "Saturday Night Fever (The Original Movie Sound Track)", 1.0),
    ],
)
def test_title_rules_for_themes_series_subtitles_and_prefixes(title: str, candidate_title: str, fit: float):
    assert score_candidate(work(title, kind="soundtrack"), album(candidate_title)).title == fit


def test_a_later_instalment_named_like_the_franchise_is_not_a_match():
    indiana = work("Indiana Jones", "John Williams", None, "soundtrack")
    dial = album(
        "Indiana Jones and the Dial of Destiny (Original Motion Picture Soundtrack)", "John Williams"
    )

    assert choose(indiana, [dial], SETTINGS).status == "not_found"


def test_without_a_year_the_earliest_release_by_the_artist_is_the_original():
    panther = work("The Pink Panther", "Henry Mancini", None, "soundtrack")
    original = album("The Pink Panther (Music from the Film Score)", "Henry Mancini", release_year=1964)
    remaster = album("The Pink Panther (Remastered)", "Henry Mancini", release_year=2013)

    assert choose(panther, [remaster, original], SETTINGS).candidate == original


def test_a_late_album_of_an_older_film_by_the_credited_composer_scores_full_year():
    parts = choose(BLADE_RUNNER, [album("Blade Runner", "Vangelis", release_year=1994)], SETTINGS).parts

    assert parts is not None and parts.year == 1.0


def test_a_track_and_its_own_album_are_not_rivals():
    kong = work("King Kong", "Max Steiner", 1933, "work")
    score = album(
        "King Kong (Original Motion Picture Score)", "Max Steiner", release_year=1933, id="a1", album_id="a1"
    )
    cue = cand("A Boat in the Fog", "Max Steiner", album=score.title, album_id="a1", release_year=1933)

    assert choose(kong, [cue, score], SETTINGS).status == "matched"


def test_same_isrc_titles_in_another_script_or_with_a_translation_agree():
    spotify = cand("Dream Lantern", "RADWIMPS", isrc="JP1", duration_ms=131_000)
    apple = cand("夢灯籠", "RADWIMPS", service="apple", isrc="JP1", duration_ms=131_000)
    longer = cand(
        "Ano Natsu e (One Summer's Day)", "Joe Hisaishi", service="apple", isrc="JP2", duration_ms=1
    )
    short = cand("One Summer's Day", "Joe Hisaishi", isrc="JP2", duration_ms=1)

    assert same_recording(spotify, apple, tolerance_s=3.0)
    assert same_recording(short, longer, tolerance_s=3.0)


def test_a_song_sharing_a_films_name_is_not_its_soundtrack():
    parasite = work("Parasite", None, None, "soundtrack")
    kiss = cand("Parasite", "Kiss", album="Hotter Than Hell", album_id="k1", release_year=1974)
    opening = cand(
        "Opening", "Jung Jae-il", album="Parasite (Original Motion Picture Soundtrack)", album_id="p1"
    )

    assert score_candidate(parasite, kiss).title < 0.8  # only "Hotter Than Hell" is weighed
    assert score_candidate(parasite, opening).title == 1.0


def test_a_song_the_article_calls_an_album_counts_by_its_own_title_when_by_the_artist():
    stay = work("Stay This Way", "The Brand New Heavies", None, "album")
    song = cand("Stay This Way", "The Brand New Heavies", album="The Brand New Heavies", album_id="b1")

    assert score_candidate(stay, song).title == 1.0


def test_another_languages_version_loses_to_the_original():
    your_name = work("Your Name", "RADWIMPS", 2016, "soundtrack")
    original = cand("Dream Lantern", "RADWIMPS", album="Your Name.", album_id="o", release_year=2016)
    english = cand(
        "Zenzenzense (English Version)",
        "RADWIMPS",
        album="Your Name. (English Edition)",
        album_id="e",
        release_year=2017,
    )

    assert choose(your_name, [english, original], SETTINGS).candidate == original


def test_re_recordings_name_a_franchises_theme_and_the_artists_own_recording_is_the_work():
    potter = work("Harry Potter", "John Williams", None, "soundtrack")
    stone = "Harry Potter and the Sorcerer's Stone (Original Motion Picture Soundtrack)"
    hedwig = cand("Hedwig's Theme", "John Williams", album=stone, album_id="hp1", release_year=2001)
    prologue = cand("Prologue", "John Williams", album=stone, album_id="hp1", release_year=2001)
    covers = [
        cand('Hedwig\'s Theme (From "Harry Potter")', "London Music Works", album="Blockbuster Themes"),
        cand('Hedwig\'s Theme (From "Harry Potter") [Piano Version]', "Piano Dreamers", album="Film Themes"),
    ]

    assert choose(potter, [prologue, hedwig], SETTINGS).status == "not_found"  # no re-recording: no theme
    chosen = choose(potter, [*covers, prologue, hedwig], SETTINGS)
    assert (chosen.status, chosen.candidate) == ("matched", hedwig)


def test_a_theme_named_for_another_franchise_is_not_the_work():
    indiana = work("Indiana Jones", "John Williams", None, "work")
    helena = cand("Helena's Theme", "John Williams", album="Indiana Jones and the Dial of Destiny")
    cover = cand('Indiana Jones Theme (From "Indiana Jones")', "London Music Works", album="Blockbuster")
    other = cand('Helena\'s Theme (From "Dial of Destiny")', "London Music Works", album="Blockbuster")

    assert choose(indiana, [cover, other, helena], SETTINGS).status == "not_found"


def test_a_title_beside_its_translation_in_brackets_fits_either():
    german = album("Vom Winde verweht (Gone with the Wind) [Original Soundtrack]", "M. Steiner")

    def title_part(title: str) -> float:
        return score_candidate(work(title, "M. Steiner", None, "soundtrack"), german).title

    assert title_part("Vom Winde verweht") == title_part("Gone with the Wind") == 0.85
    assert title_part("Vom Winde") < 0.8


def test_a_guessed_artist_no_titled_candidate_credits_is_set_aside_for_title_and_year():
    jules = work("Jules et Jim", "Nino Rota", 1962, "work")
    delerue = cand(
        "Jules et Jim (Générique)", "Georges Delerue", album="Jules et Jim", album_id="j", release_year=1962
    )
    guessed = replace(jules, confidence=0.5)

    assert choose(jules, [delerue], SETTINGS).status == "not_found"  # a credit (0.9) stands
    chosen = choose(guessed, [delerue], SETTINGS)
    assert (chosen.status, chosen.candidate, chosen.work) == ("matched", delerue, guessed)


def test_a_guessed_artist_stands_when_a_titled_candidate_credits_them():
    dolce = replace(work("La Dolce Vita", "Nino Rota", 1960, "soundtrack"), confidence=0.5)
    rota = cand("La dolce vita", "Nino Rota", album="La dolce vita", album_id="r", release_year=1960)
    cover = cand("La dolce vita", "Someone Else", album="La dolce vita", album_id="c", release_year=1960)

    assert choose(dolce, [cover, rota], SETTINGS).candidate == rota
