"""Which question a channel gets: domains by exam weight, no repeat within 60 days, task statements
the members get wrong preferred."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import time_machine

from agents.quizmaster.daily import (
    NO_REPEAT_DAYS,
    PastPost,
    TaskTally,
    choose_daily,
    miss_weight,
    next_domain,
)
from tests.bots.daily.fakes import RecordingPoster, local
from tools.progress import Attempt
from tools.state.daily import DailyStore

START = date(2026, 1, 1)


def test_largest_deficit_rotation_follows_the_exam_weights() -> None:
    counts: Counter[int] = Counter()
    order = []
    for _ in range(50):
        domain = next_domain(counts, range(1, 6))
        counts[domain] += 1
        order.append(domain)
    assert dict(counts) == {1: 10, 2: 12, 3: 14, 4: 7, 5: 7}
    assert order[:5] == [3, 2, 1, 4, 5]  # deterministic: the heaviest deficits first
    assert next_domain({}, [4, 5]) == 4  # only the domains that still have questions


def test_no_question_repeats_in_a_channel_within_60_days(bank) -> None:
    history: list[PastPost] = []
    for n in range(300):
        day = START + timedelta(days=n)
        question = choose_daily(bank, history, {}, day, seed="slack:C1")
        assert question.type == "single"
        history.append(PastPost(question=question.id, day=day))
    last: dict[str, date] = {}
    for post in history:
        if post.question in last:
            assert (post.day - last[post.question]).days >= NO_REPEAT_DAYS
        last[post.question] = post.day
    for end in range(50, 301, 25):  # any 50 consecutive posts are within one of 10/12/14/7/7
        counts = Counter(int(p.question[1]) for p in history[end - 50 : end])
        assert all(abs(counts[d] - n) <= 1 for d, n in {1: 10, 2: 12, 3: 14, 4: 7, 5: 7}.items()), counts


def test_a_bank_too_small_for_60_days_repeats_the_longest_unseen(bank) -> None:
    small = [q for q in bank if q.type == "single"][:3]
    history = [PastPost(question=q.id, day=START + timedelta(days=i)) for i, q in enumerate(small)]
    assert choose_daily(small, history, {}, START + timedelta(days=3), seed="x").id == small[0].id


def test_task_statements_the_members_get_wrong_are_preferred(bank) -> None:
    domain3 = sorted({q.task for q in bank if q.domain == 3})
    weak = {
        t: TaskTally(correct=1, answered=20) if t == "3.2" else TaskTally(correct=19, answered=20)
        for t in domain3
    }
    picks = Counter()
    plain = Counter()
    for n in range(200):
        day = START + timedelta(days=n)
        # an empty history makes every pick a domain-3 pick (the heaviest domain comes first)
        picks[choose_daily(bank, [], weak, day, seed="slack:C1").task] += 1
        plain[choose_daily(bank, [], {}, day, seed="slack:C1").task] += 1
    assert picks["3.2"] > 0.8 * 200
    assert plain["3.2"] < 0.4 * 200
    assert (
        miss_weight(TaskTally(correct=0, answered=10))
        > miss_weight(None)
        > miss_weight(TaskTally(correct=10, answered=10))
    )


def test_the_choice_is_the_same_for_every_replica(bank) -> None:
    history = [PastPost(question="d1-001", day=START)]
    first = choose_daily(bank, history, {}, START + timedelta(days=1), seed="slack:C1")
    again = choose_daily(bank, list(reversed(history)), {}, START + timedelta(days=1), seed="slack:C1")
    assert first.id == again.id


async def test_fifty_posts_rotate_domains_by_weight_and_prefer_what_the_channel_gets_wrong(
    make_scheduler, write_config, quiz
):
    config = write_config(
        [{"platform": "discord", "channel": "42", "time": "12:00", "timezone": "Asia/Tokyo"}]
    )
    scheduler, poster = await make_scheduler(config, poster=RecordingPoster(platform="discord"))
    # the channel's members keep failing task 4.2 in their practice quizzes
    for n, q in enumerate(q for q in quiz.questions if q.task == "4.2"):
        quiz.progress.record(
            Attempt(
                platform="discord",
                user="m1",
                question=q.id,
                domain=4,
                task="4.2",
                correct=False,
                answer="A",
                session=f"quiz{n}",
                scope="discord:42",
            )
        )
    with time_machine.travel(local(START, "12:00", "Asia/Tokyo"), tick=False) as clock:
        for n in range(50):
            clock.move_to(local(START + timedelta(days=n), "12:00", "Asia/Tokyo"))
            await scheduler.tick()
    posts = await DailyStore.of(scheduler.state).history("discord", "42")
    assert len(posts) == 50 == len(poster.questions)
    domains = Counter(quiz.by_id[p.question].domain for p in posts)
    assert domains == Counter({1: 10, 2: 12, 3: 14, 4: 7, 5: 7})
    assert len({p.question for p in posts}) == 50
    tasks = Counter(quiz.by_id[p.question].task for p in posts if quiz.by_id[p.question].domain == 4)
    assert tasks["4.2"] > tasks["4.1"]  # 4.1 has almost three times as many questions
