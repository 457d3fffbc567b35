import pytest

from config.env import EnvError, env_bool, env_coordinates, env_int, env_list, env_str


def test_env_bool_reads_words_and_refuses_nonsense() -> None:
    assert env_bool("X", False, environ={"X": "yes"}) is True
    assert env_bool("X", True, environ={"X": "0"}) is False
    assert env_bool("X", True, environ={}) is True
    with pytest.raises(EnvError, match="X must be one of"):
        env_bool("X", False, environ={"X": "maybe"})


def test_env_int_names_the_variable_and_checks_range() -> None:
    assert env_int("N", 5, environ={"N": "7"}) == 7
    with pytest.raises(EnvError, match="N must be a whole number, got 'seven'"):
        env_int("N", 5, environ={"N": "seven"})
    with pytest.raises(EnvError, match="N must be at least 10"):
        env_int("N", 50, minimum=10, environ={"N": "3"})


def test_env_str_required_and_list() -> None:
    with pytest.raises(EnvError, match="SECRET must be set"):
        env_str("SECRET", environ={})
    assert env_list("HOSTS", ["a"], environ={"HOSTS": "x.org, y.org"}) == ["x.org", "y.org"]
    with pytest.raises(EnvError, match="no empty items"):
        env_list("HOSTS", [], environ={"HOSTS": "x.org,,y.org"})


def test_env_coordinates_reads_a_pair_and_names_a_bad_one() -> None:
    assert env_coordinates("C", (1.0, 2.0), environ={}) == (1.0, 2.0)
    assert env_coordinates("C", (1.0, 2.0), environ={"C": "53.8, -1.55"}) == (53.8, -1.55)
    with pytest.raises(EnvError, match="C must be 'latitude,longitude'"):
        env_coordinates("C", (1.0, 2.0), environ={"C": "53.8"})
    with pytest.raises(EnvError, match="C must be a latitude in -90..90"):
        env_coordinates("C", (1.0, 2.0), environ={"C": "95, 0"})


def test_env_tile_url_wants_https_and_the_tile_placeholders() -> None:
    from config.env import env_tile_url, url_origin

    assert env_tile_url("T", environ={}) == ""
    url = "https://{s}.tiles.example.police.uk/os/{z}/{x}/{y}.png"
    assert env_tile_url("T", environ={"T": url}) == url
    assert url_origin(url) == "https://*.tiles.example.police.uk"
    assert env_tile_url("T", environ={"T": "http://localhost:8080/{z}/{x}/{y}.png"}).startswith("http://localhost")
    with pytest.raises(EnvError, match="T must be an https:// address"):
        env_tile_url("T", environ={"T": "http://tiles.example.org/{z}/{x}/{y}.png"})
    with pytest.raises(EnvError, match=r"\{y\} missing"):
        env_tile_url("T", environ={"T": "https://tiles.example.org/{z}/{x}.png"})
