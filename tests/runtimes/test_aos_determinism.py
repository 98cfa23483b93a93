"""os.time and math.random are functions of the message log, so replays agree."""

from aos_harness import AosHarness, plain


def data(res):
    return plain(res["Output"]["data"])


def test_os_time_is_the_message_timestamp():
    p = AosHarness()
    res = p.send({"Action": "Eval", "Data": "return os.time()", "Timestamp": 1_712_345_678_901})
    assert data(res) == "1712345678901"


def test_math_random_is_seeded_by_the_process_and_repeatable():
    code = "return table.concat({math.random(100), math.random(5, 9), math.random()}, ' ')"
    a, b = AosHarness(name="same"), AosHarness(name="same")
    ra, rb = data(a.eval(code)), data(b.eval(code))
    assert ra == rb
    ints = ra.split()
    assert 1 <= int(ints[0]) <= 100
    assert 5 <= int(ints[1]) <= 9
    assert 0 <= float(ints[2]) < 1
    other = AosHarness(name="other")
    assert data(other.eval(code)) != ra


def test_random_sequence_continues_across_messages():
    a, b = AosHarness(), AosHarness()
    a.eval("return math.random(1000)")
    second_a = data(a.eval("return math.random(1000)"))
    first_b = data(b.eval("return math.random(1000)"))
    assert second_a != first_b  # one generator, advanced by the earlier message


def test_random_integers_cover_their_range():
    p = AosHarness()
    seen = p.lua(
        "local s = {} for i = 1, 2000 do s[math.random(6)] = true end "
        "local t = {} for k in pairs(s) do t[#t + 1] = k end table.sort(t) return t"
    )
    assert seen == [1, 2, 3, 4, 5, 6]


def test_mersenne_twister_matches_the_reference_sequence():
    # MT19937 seeded with 5489: the first output is 3499211612 (the algorithm's known vector).
    p = AosHarness()
    assert p.lua('local c = require(".chance") c.seed(5489) return c.int32()') == 3499211612
    assert (
        p.lua(
            'local c = require(".chance") c.seed(5489) for i = 1, 9999 do c.int32() end '
            "return c.int32()"
        )
        == 4123659995
    )


def test_replay_rebuilds_the_same_state():
    p = AosHarness()
    p.eval("Rolls = {} for i = 1, 5 do Rolls[i] = math.random(1000) end")
    before = p.lua("return Rolls")
    p.eval('error("force a rollback")')  # rebuilds the state by replaying the log
    assert p.lua("return Rolls") == before
