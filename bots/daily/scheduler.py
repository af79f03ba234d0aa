"""The daily question scheduler inside `aifbot serve`.

APScheduler wakes it: one CronTrigger per channel (in the channel's time zone) at the post time, and
a tick every minute that re-reads the schedules (file + admin settings), catches up posts missed
during downtime, retries failed ones and posts due reveals. Triggers fire on every replica; the
claim row in the shared database (unique platform + channel + day, inserted before posting) makes
each post happen once.

The same tick DMs the study plan's daily reminder to each opted-in learner, once a day from their
hour (09:00 UTC unless set otherwise in the plan store; a learner's hour, not any channel's
schedule, since a learner may be in several channels or none), until the exam day. A learner's day
is claimed in the database before the DM, so replicas send it once; a failed DM hands the day back
and is retried on a later tick, after a backoff."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from agents.quizmaster import daily as say
from agents.quizmaster.daily import PastPost, SectionIndex, TaskTally
from agents.quizmaster.grading import AnswerError, grade, parse
from agents.quizmaster.plan import stored_reminder
from agents.quizmaster.services import QuizServices
from agents.reply import AnswerForm, Choice, Reply
from agents.state import UserRef
from bots.daily import DAILY_PREFIX, ChannelPoster, DirectPoster
from bots.daily.config import DailyConfigError, load_daily_config, merge
from bots.daily.schedule import ChannelSchedule
from knowledge.question_bank import Question
from tools.metrics import METRICS
from tools.progress import Attempt
from tools.state import StateStore
from tools.state.daily import PUBLISHED, DailyPost, DailyStore
from tools.state.plans import SavedPlan

if TYPE_CHECKING:
    from bots.startup.runtime import Runtime

log = logging.getLogger(__name__)

GRACE = timedelta(hours=3)  # a post missed during downtime still goes out this long after its time
STALE_AFTER = timedelta(minutes=5)  # a claim not finished by then belongs to a process that died
POST_TIMEOUT = 90.0  # seconds for one post call: well under STALE_AFTER, so a slow post isn't taken over
MAX_ATTEMPTS = 5
RETRY_BASE, RETRY_CAP = timedelta(minutes=1), timedelta(minutes=30)
REVEAL_GIVE_UP = timedelta(hours=12)  # a reveal that can't be posted for this long is dropped
RESULTS_SINCE = timedelta(days=180)  # members' results that steer the choice of task statement
TICK_SECONDS = 60

Clock = Callable[[], datetime]

NOT_OPEN = "That daily question isn't open any more; watch for the next one."
UNKNOWN_BUTTON = "I don't recognise that answer button; please use the buttons on the latest daily question."
STORE_BUSY = (
    "I couldn't record your answer just now; nothing was counted. Please press the button again in a minute."
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4, 8 … minutes, at most 30."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)


class PostResult(BaseModel):
    """What happened to one channel's post (the CLI prints these)."""

    platform: str
    channel: str
    day: date | None = Field(None, description="The channel's local date of the post.")
    status: Literal["posted", "already_posted", "in_progress", "failed", "no_poster", "unknown_channel"]
    post_id: int | None = None
    question: str | None = None
    message: str | None = Field(None, description="The platform's message id.")
    error: str | None = None


_TOKEN_VARIABLES = {"slack": "AIFBOT_SLACK_BOT_TOKEN", "discord": "AIFBOT_DISCORD_TOKEN"}


def missing_poster_text(schedule: ChannelSchedule) -> str:
    """Why a channel cannot be posted to, in words: no token for its platform (and no schedule)."""
    variable = _TOKEN_VARIABLES.get(schedule.platform)
    text = (
        f"no {schedule.platform.title()} token is configured: set {variable} to post there"
        if variable
        else f"no poster for platform {schedule.platform!r}"
    )
    if schedule.source == "manual":
        text += (
            f"; note that {schedule.channel} has no daily schedule either "
            "(say `admin daily here 09:00` in it, or add it to AIFBOT_CONFIG)"
        )
    return text


class DailyScheduler:
    """Posts each channel's daily question once, takes the answers, reveals, keeps streaks."""

    def __init__(
        self,
        state: StateStore,
        quiz: QuizServices,
        *,
        config_path: Path | None = None,
        index: Callable[[], SectionIndex | None] | None = None,
        instance: str = "aifbot",
        clock: Clock = utc_now,
        grace: timedelta = GRACE,
        stale_after: timedelta = STALE_AFTER,
        post_timeout: float = POST_TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.state = state
        self.posts = DailyStore.of(state)
        self.quiz = quiz
        self.config_path = config_path
        self.index = index
        self.instance = instance[:128]
        self.clock = clock
        self.grace, self.stale_after = grace, stale_after
        self.post_timeout, self.max_attempts = post_timeout, max_attempts
        self.posters: dict[str, ChannelPoster] = {}
        self.file_schedules = load_daily_config(config_path)  # a bad file fails here, at startup
        self.schedules: dict[str, ChannelSchedule] = {s.key: s for s in self.file_schedules}
        self._loaded = False
        self._aps: AsyncIOScheduler | None = None
        self._jobs: dict[str, tuple] = {}
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._done: set[tuple[str, date]] = set()  # posts known to be out: no database read each tick
        self._missed: set[tuple[str, date]] = set()  # misses already logged
        # failed reminder DMs of the day: (platform, user) → (day, attempts, not before)
        self._dm_failures: dict[tuple[str, str], tuple[date, int, datetime]] = {}

    @classmethod
    def from_runtime(
        cls, runtime: Runtime, state: StateStore, *, instance: str = "aifbot", clock: Clock = utc_now
    ) -> DailyScheduler:
        def index() -> SectionIndex:
            return runtime.retriever.index

        return cls(
            state,
            runtime.quiz,
            config_path=runtime.settings.config,
            index=index,
            instance=instance,
            clock=clock,
        )

    def add_poster(self, poster: ChannelPoster) -> None:
        """Post to this platform's channels; schedules of platforms without a poster are left to the
        process that has one."""
        self.posters[poster.platform] = poster

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start APScheduler on the running event loop; the first tick (catch-up) runs at once."""
        if self._aps is not None:
            return
        self._aps = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        )
        self._aps.add_job(
            self.tick,
            IntervalTrigger(seconds=TICK_SECONDS, timezone=UTC),
            id="daily:tick",
            name="daily question tick",
            next_run_time=datetime.now(UTC),
        )
        self._aps.start()
        self.sync_jobs(self.schedules)
        log.info("daily scheduler started (%s)", self.instance)

    def shutdown(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
        self._jobs.clear()

    def stop(self) -> None:
        """The same as `shutdown` (the name the startup code uses)."""
        self.shutdown()

    @staticmethod
    def job_id(schedule: ChannelSchedule) -> str:
        return f"daily:post:{schedule.key}"

    def sync_jobs(self, schedules: dict[str, ChannelSchedule]) -> None:
        """One CronTrigger per channel this process can post to; a changed time, zone or weekdays
        replaces the job, a removed schedule removes it."""
        if self._aps is None:
            return
        wanted = {self.job_id(s): s for s in schedules.values() if s.platform in self.posters}
        for job_id in set(self._jobs) - set(wanted):
            if self._aps.get_job(job_id):
                self._aps.remove_job(job_id)
            del self._jobs[job_id]
        for job_id, schedule in wanted.items():
            if self._jobs.get(job_id) == schedule.signature:
                continue
            self._aps.add_job(
                self.run_channel,
                schedule.trigger(),
                args=[schedule.key],
                id=job_id,
                name=f"daily question {schedule.key}",
                replace_existing=True,
            )
            self._jobs[job_id] = schedule.signature
            log.info(
                "daily question %s at %s %s (%s)",
                schedule.key,
                schedule.time,
                schedule.timezone,
                ",".join(schedule.weekdays),
            )

    def job(self, schedule: ChannelSchedule) -> Any:
        """The APScheduler job of a channel (None when not scheduled in this process)."""
        return self._aps.get_job(self.job_id(schedule)) if self._aps else None

    # -- schedules ---------------------------------------------------------------------------------
    async def load_schedules(self) -> dict[str, ChannelSchedule]:
        """The file's schedules (re-read, so edits apply without a restart) with the admins'
        settings on top. A broken file or database keeps the last good schedules."""
        try:
            self.file_schedules = load_daily_config(self.config_path)
        except DailyConfigError as exc:
            log.error("daily schedules: %s (keeping the previous ones)", exc)
        try:
            admin = await self.state.channels()
        except (SQLAlchemyError, OSError) as exc:
            log.error("daily schedules: channel settings unavailable: %s", type(exc).__name__)
            return self.schedules
        self.schedules = merge(self.file_schedules, admin)
        self._loaded = True
        return self.schedules

    # -- the minute tick ---------------------------------------------------------------------------
    async def tick(self) -> None:
        """Re-read schedules, reveal what is due, post (or catch up, or retry) what is due. Never
        raises: one bad channel or a database hiccup must not stop the scheduler."""
        now = self.clock()
        try:
            schedules = await self.load_schedules()
            self.sync_jobs(schedules)
        except Exception:  # e.g. APScheduler refusing a trigger: keep posting with what we have
            log.exception("daily schedules not refreshed")
            schedules = self.schedules
        try:
            await self.reveal_due(now)
        except (SQLAlchemyError, OSError) as exc:
            log.error("daily reveals skipped this minute: %s", type(exc).__name__)
        except Exception:
            log.exception("daily reveals failed")
        try:
            await self.remind_due(now)
        except (SQLAlchemyError, OSError) as exc:
            log.error("study plan reminders skipped this minute: %s", type(exc).__name__)
        except Exception:
            log.exception("study plan reminders failed")
        for schedule in schedules.values():
            if schedule.platform in self.posters:
                await self.check(schedule, now)

    async def run_channel(self, key: str) -> None:
        """A channel's CronTrigger fired (on every replica): post if this process wins the claim."""
        schedule = self.schedules.get(key)
        if schedule is not None and schedule.platform in self.posters:
            await self.check(schedule, self.clock())

    async def check(self, schedule: ChannelSchedule, now: datetime) -> None:
        """Post a channel's due question (within the catch-up window) unless it is out already."""
        try:
            async with self._locks[schedule.key]:
                for day, _ in schedule.due(now, self.grace):
                    if (schedule.key, day) not in self._done:
                        await self._ensure(schedule, day, now, force=False)
                for day, at in schedule.missed(now, self.grace):
                    await self._note_missed(schedule, day, at)
        except (SQLAlchemyError, OSError) as exc:
            log.error("daily question %s skipped this minute: %s", schedule.key, type(exc).__name__)
        except Exception:
            log.exception("daily question %s failed", schedule.key)

    async def _note_missed(self, schedule: ChannelSchedule, day: date, at: datetime) -> None:
        key = (schedule.key, day)
        if key in self._done or key in self._missed:
            return
        post = await self.posts.find(schedule.platform, schedule.channel, day)
        if post is not None and post.status in PUBLISHED:
            self._done.add(key)
            return
        self._missed.add(key)
        METRICS.daily_posts.labels(schedule.platform, "missed").inc()
        log.warning(
            "daily question %s for %s (due %s) missed: outside the %s catch-up window%s",
            schedule.key,
            day,
            at.isoformat(),
            self.grace,
            f", last error: {post.error}" if post is not None and post.error else "",
        )

    # -- posting -----------------------------------------------------------------------------------
    def _result(
        self, schedule: ChannelSchedule, day: date, post: DailyPost | None, status: str, **extra: Any
    ) -> PostResult:
        return PostResult(
            platform=schedule.platform,
            channel=schedule.channel,
            day=day,
            status=status,  # type: ignore[arg-type]
            post_id=post.id if post else None,
            question=post.question if post else None,
            message=post.message if post else None,
            error=post.error if post and status == "failed" else None,
        ).model_copy(update=extra)

    async def _ensure(
        self, schedule: ChannelSchedule, day: date, now: datetime, *, force: bool
    ) -> PostResult:
        """Claim and post a channel's question for a day, or take over, or retry; `force` (a post
        asked for by hand) ignores the retry backoff and the attempt limit."""
        post = await self.posts.find(schedule.platform, schedule.channel, day)
        if post is None:
            question = await self.choose(schedule, day, now)
            anchor = max(now, schedule.post_at(day)) if schedule.is_post_day(day) else now
            post = await self.posts.claim(
                platform=schedule.platform,
                channel=schedule.channel,
                day=day,
                question=question.id,
                instance=self.instance,
                now=now,
                reveal_at=schedule.reveal_at(anchor),
            )
            if post is None:  # another process claimed it first
                post = await self.posts.find(schedule.platform, schedule.channel, day)
                status = "already_posted" if post and post.status in PUBLISHED else "in_progress"
                return self._result(schedule, day, post, status)
            return await self._deliver(post, schedule)
        if post.status in PUBLISHED:
            self._done.add((schedule.key, day))
            return self._result(schedule, day, post, "already_posted")
        if post.status == "claimed":
            if post.claimed_at > now - self.stale_after:
                return self._result(schedule, day, post, "in_progress")
            taken = await self.posts.take_over(post, self.instance, now, now - self.stale_after)
            if taken is None:
                return self._result(schedule, day, post, "in_progress")
            METRICS.daily_posts.labels(schedule.platform, "taken_over").inc()
            log.warning(
                "daily question %s for %s: %s claimed it at %s and never finished; taking over",
                schedule.key,
                day,
                post.claimed_by,
                post.claimed_at.isoformat(),
            )
            return await self._deliver(taken, schedule)
        # failed: retry with backoff, up to the limit
        waiting = now < post.claimed_at + backoff(post.attempts)
        if not force and (post.attempts >= self.max_attempts or waiting):
            return self._result(schedule, day, post, "failed")
        retried = await self.posts.retry(post, self.instance, now)
        if retried is None:  # another process is retrying it
            return self._result(schedule, day, post, "in_progress")
        METRICS.daily_posts.labels(schedule.platform, "retry").inc()
        return await self._deliver(retried, schedule)

    async def _deliver(self, post: DailyPost, schedule: ChannelSchedule) -> PostResult:
        """Post a claimed question; record the message id, or the failure for a later retry."""
        poster = self.posters[post.platform]
        question = self.quiz.by_id.get(post.question)
        try:
            if question is None:
                raise LookupError(f"question {post.question} is no longer in the bank")
            reply = self.post_reply(post, question, schedule)
            message = await asyncio.wait_for(poster.post(post.channel, reply), self.post_timeout)
        except Exception as exc:  # whatever the platform raised: recorded, retried, never fatal
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
            await self.posts.mark_failed(post.id, self.instance, error, self.clock())
            METRICS.daily_posts.labels(post.platform, "failed").inc()
            if post.attempts >= self.max_attempts:
                log.error(
                    "daily question %s for %s failed %d times, giving up: %s",
                    schedule.key,
                    post.day,
                    post.attempts,
                    error,
                )
            else:
                log.warning(
                    "daily question %s for %s failed (attempt %d, retry in %s): %s",
                    schedule.key,
                    post.day,
                    post.attempts,
                    backoff(post.attempts),
                    error,
                )
            failed = await self.posts.get(post.id)
            return self._result(schedule, post.day, failed or post, "failed", error=error)
        if not await self.posts.mark_posted(post.id, self.instance, str(message), self.clock()):
            log.error(
                "daily question %s for %s posted, but another process took the claim over meanwhile: "
                "it may show twice",
                schedule.key,
                post.day,
            )
        self._done.add((schedule.key, post.day))
        METRICS.daily_posts.labels(post.platform, "posted").inc()
        log.info("daily question %s for %s posted: %s (%s)", schedule.key, post.day, question.id, message)
        posted = await self.posts.get(post.id)
        return self._result(schedule, post.day, posted or post, "posted")

    def post_reply(self, post: DailyPost, question: Question, schedule: ChannelSchedule) -> Reply:
        """The question with one answer button per option (values daily:answer:<post>:<letter>)."""
        reveal = post.reveal_at or schedule.reveal_at(schedule.post_at(post.day))
        when = say.when_text(reveal, schedule.zone, post.day)
        return Reply(
            text=say.post_text(question, post.day, when),
            route="quizmaster",
            choices=[
                Choice(label=letter, value=f"{DAILY_PREFIX}{post.id}:{letter}")
                for letter in sorted(question.options)
            ],
            form=AnswerForm(
                question=question.id,
                type=question.type,
                options=question.options,
                pick=len(question.answer_letters),
                prefix=DAILY_PREFIX,
                answer_key=str(post.id),
            ),
        )

    async def choose(self, schedule: ChannelSchedule, day: date, now: datetime) -> Question:
        history = await self.posts.history(schedule.platform, schedule.channel)
        past = [PastPost(question=p.question, day=p.day) for p in history if p.day != day]
        scope = f"{schedule.platform}:{schedule.channel}"
        results = await asyncio.to_thread(self.member_results, schedule.platform, scope, now)
        return say.choose_daily(self.quiz.questions, past, results, day, seed=schedule.key)

    def member_results(self, platform: str, scope: str, now: datetime) -> dict[str, TaskTally]:
        """How the channel's members (everyone who practised in it lately, daily answers included)
        do per task statement, over all their practice."""
        progress = self.quiz.progress
        members = [user for user, _, _ in progress.leaderboard(scope, since=now - RESULTS_SINCE, limit=1000)]
        totals: dict[str, TaskTally] = {}
        for user in members:
            for task, (correct, answered) in progress.accuracy_by_task(platform, user).items():
                tally = totals.setdefault(task, TaskTally())
                tally.correct += correct
                tally.answered += answered
        return totals

    # -- by hand (CLI) -----------------------------------------------------------------------------
    async def post_now(self, platform: str | None = None, channel: str | None = None) -> list[PostResult]:
        """Post today's question now in the scheduled channels (or the one given), once: a channel
        that has today's post already gets nothing new; a failed one is retried at once."""
        now = self.clock()
        targets = self._targets(await self.load_schedules(), platform, channel, now)
        if isinstance(targets, PostResult):
            return [targets]
        results = []
        for schedule in targets:
            day = schedule.local_day(now)
            if schedule.platform not in self.posters:
                missing = PostResult(
                    platform=schedule.platform,
                    channel=schedule.channel,
                    day=day,
                    status="no_poster",
                    error=missing_poster_text(schedule),
                )
                results.append(missing)
                continue
            async with self._locks[schedule.key]:
                results.append(await self._ensure(schedule, day, now, force=True))
        return results

    def _targets(
        self, schedules: dict[str, ChannelSchedule], platform: str | None, channel: str | None, now: datetime
    ) -> list[ChannelSchedule] | PostResult:
        found = [
            s for s in schedules.values() if platform in (None, s.platform) and channel in (None, s.channel)
        ]
        if found or channel is None:
            return found
        platform = platform or (next(iter(self.posters)) if len(self.posters) == 1 else None)
        if platform is None:
            return PostResult(
                platform="?",
                channel=channel,
                status="unknown_channel",
                error="That channel has no daily schedule; say which platform (--platform slack|discord).",
            )
        # an unscheduled channel: today in UTC, revealed a day later
        adhoc = ChannelSchedule(
            platform=platform, channel=channel, time=now.strftime("%H:%M"), source="manual"
        )
        return [adhoc]

    async def preview(self, channel: str | None = None, platform: str | None = None) -> Reply:
        """The question a channel gets today (or has got), without posting or claiming anything."""
        now = self.clock()
        schedules = await self.load_schedules()
        match = [
            s for s in schedules.values() if channel in (None, s.channel) and platform in (None, s.platform)
        ]
        schedule = (
            match[0]
            if match
            else ChannelSchedule(
                platform=platform or "cli",
                channel=channel or "preview",
                time=now.strftime("%H:%M"),
                source="manual",
            )
        )
        day = schedule.local_day(now)
        existing = await self.posts.find(schedule.platform, schedule.channel, day)
        question = (self.quiz.by_id.get(existing.question) if existing else None) or await self.choose(
            schedule, day, now
        )
        anchor = max(now, schedule.post_at(day)) if schedule.is_post_day(day) else now
        reveal = say.when_text(schedule.reveal_at(anchor), schedule.zone, day)
        state = f"posted ({existing.status})" if existing else "not posted yet"
        head = f"Preview for {schedule.platform} {schedule.channel} on {day} — {state}."
        buttons = " · ".join(sorted(question.options))
        if schedule.source == "manual" and not match:
            head += " This channel has no daily schedule; `daily post` would post it once by hand."
        # exactly the post: its text and its buttons, and no citations (they would name the answer;
        # the reveal in the thread carries them)
        return Reply(
            text=f"{head}\n\n{say.post_text(question, day, reveal)}\n\nButtons: {buttons}",
            route="quizmaster",
            notice="preview: nothing was posted",
        )

    # -- answers -----------------------------------------------------------------------------------
    async def answer(self, user: UserRef, value: str) -> str:
        """A member pressed an answer button (`daily:answer:<post id>:<letters>`): the private
        feedback text. The first answer counts; it updates the member's FSRS card too."""
        post_part, _, raw = value.removeprefix(DAILY_PREFIX).partition(":")
        if not value.startswith(DAILY_PREFIX) or not post_part.isdigit() or not raw:
            log.info("unrecognised daily button value %r", value[:100])
            return UNKNOWN_BUTTON
        try:
            return await self._answer(user, int(post_part), raw)
        except (SQLAlchemyError, OSError) as exc:
            log.error("daily answer not recorded: %s", type(exc).__name__)
            return STORE_BUSY

    async def _answer(self, user: UserRef, post_id: int, raw: str) -> str:
        post = await self.posts.get(post_id)
        question = self.quiz.by_id.get(post.question) if post else None
        if post is None or question is None or post.platform != user.platform:
            return NOT_OPEN
        now = self.clock()
        if post.status != "posted" or (post.reveal_at is not None and now >= post.reveal_at):
            return say.closed_text(question)
        try:
            given = parse(question, raw)
        except AnswerError as exc:
            return str(exc)
        result = grade(question, given)
        zone = (await self._schedule_of(post)).zone
        reveal = say.when_text(post.reveal_at or now, zone, now.astimezone(zone).date(), now)
        first = await self.posts.record_answer(
            post_id=post.id,
            user=user.id,
            name=user.name,
            answer=result.given,
            correct=result.correct,
            now=now,
        )
        if not first:
            previous = await self.posts.answer_of(post.id, user.id)
            return say.already_text(previous.answer if previous else result.given, reveal)
        attempt = Attempt(
            platform=post.platform,
            user=user.id,
            question=question.id,
            domain=question.domain,
            task=question.task,
            correct=result.correct,
            answer=result.given,
            session=f"daily:{post.id}",
            scope=f"{post.platform}:{post.channel}",
            time=now,
        )
        try:
            await asyncio.to_thread(self.quiz.progress.record, attempt)
        except Exception:  # the daily answer is stored; the review schedule catches up next time
            log.exception("progress not recorded for daily answer %s", post.id)
        return say.feedback_text(question, result.given, result.correct, reveal)

    async def _schedule_of(self, post: DailyPost) -> ChannelSchedule:
        key = f"{post.platform}:{post.channel}"
        if key not in self.schedules and not self._loaded:
            await self.load_schedules()
        return self.schedules.get(key) or ChannelSchedule(
            platform=post.platform, channel=post.channel, time="00:00", source="manual"
        )

    # -- study plan reminders (DMs) ---------------------------------------------------------------
    def _direct(self, platform: str) -> DirectPoster | None:
        poster = self.posters.get(platform)
        return poster if callable(getattr(poster, "direct", None)) else None  # type: ignore[return-value]

    async def remind_due(self, now: datetime) -> int:
        """DM today's reminder to every opted-in learner whose hour has come; the number sent."""
        platforms = [p for p in self.posters if self._direct(p) is not None]
        if not platforms:
            return 0
        due = await asyncio.to_thread(self.quiz.plan_store.due, now, platforms)
        sent = 0
        for saved in due:
            sent += await self._remind(saved, now)
        return sent

    async def _remind(self, saved: SavedPlan, now: datetime) -> bool:
        today, key = now.astimezone(UTC).date(), (saved.platform, saved.user_id)
        failure = self._dm_failures.get(key)
        if failure is not None and failure[0] == today and now < failure[2]:
            return False  # a failed DM waits for its backoff
        poster = self._direct(saved.platform)
        done = await asyncio.to_thread(self._done_today, saved.platform, saved.user_id, today)
        text = stored_reminder(saved.plan, saved.reminder, today, done)
        if poster is None or text is None:  # an unreadable plan: nothing worth sending
            return False
        store = self.quiz.plan_store
        if not await asyncio.to_thread(store.claim, saved.platform, saved.user_id, today):
            return False  # sent today already, by this process or another
        try:
            reply = Reply(text=text, route="quizmaster")
            await asyncio.wait_for(poster.direct(saved.target or saved.user_id, reply), self.post_timeout)
        except Exception as exc:  # whatever the platform raised: logged, the day handed back, retried
            attempts = failure[1] + 1 if failure is not None and failure[0] == today else 1
            self._dm_failures[key] = (today, attempts, now + backoff(attempts))
            await asyncio.to_thread(store.release, saved.platform, saved.user_id, today, saved.last_reminded)
            METRICS.daily_posts.labels(saved.platform, "reminder_failed").inc()
            log.warning(
                "study plan reminder to %s:%s failed (attempt %d, retry in %s): %s: %s",
                saved.platform,
                saved.user_id,
                attempts,
                backoff(attempts),
                type(exc).__name__,
                str(exc)[:300],
            )
            return False
        self._dm_failures.pop(key, None)
        METRICS.daily_posts.labels(saved.platform, "reminded").inc()
        log.info("study plan reminder sent to %s:%s", saved.platform, saved.user_id)
        return True

    def _done_today(self, platform: str, user: str, today: date) -> int:
        """Questions the learner answered today (a reminder sent late in the day counts them)."""
        return sum(n for day, n in self.quiz.progress.activity(platform, user) if day == today)

    # -- reveals -----------------------------------------------------------------------------------
    async def reveal_due(self, now: datetime) -> None:
        if not self.posters:
            return
        for post in await self.posts.due_reveals(now, list(self.posters)):
            await self._reveal(post, now)

    async def _reveal(self, post: DailyPost, now: datetime) -> None:
        if not await self.posts.claim_reveal(post.id, now, now - self.stale_after):
            return  # another process reveals it
        try:
            reply = await self.reveal_reply(post)
            poster = self.posters[post.platform]
            await asyncio.wait_for(poster.post(post.channel, reply, reply_to=post.message), self.post_timeout)
        except Exception as exc:  # retried next minute; dropped after REVEAL_GIVE_UP
            error = f"{type(exc).__name__}: {str(exc)[:300]}"
            METRICS.daily_posts.labels(post.platform, "reveal_failed").inc()
            if post.reveal_at and now - post.reveal_at > REVEAL_GIVE_UP:
                log.error("reveal of daily question %s dropped after %s: %s", post.id, REVEAL_GIVE_UP, error)
                await self.posts.mark_revealed(post.id, self.clock())
            else:
                log.warning("reveal of daily question %s failed, retrying: %s", post.id, error)
                await self.posts.release_reveal(post.id, error)
            return
        await self.posts.mark_revealed(post.id, self.clock())
        METRICS.daily_posts.labels(post.platform, "revealed").inc()
        log.info("daily question %s:%s for %s revealed", post.platform, post.channel, post.day)

    async def reveal_reply(self, post: DailyPost) -> Reply:
        """The right answer, the explanation with citations, how many answered and the share correct,
        and the channel's streak leaders."""
        question = self.quiz.by_id[post.question]
        answered, correct = await self.posts.tally(post.id)
        table = await self.channel_streaks(post.platform, post.channel, until=post)
        return Reply(
            text=say.reveal_text(question, post.day, answered, correct, say.leaders(table)),
            route="quizmaster",
            citations=self._cite(question),
        )

    def _cite(self, question: Question) -> list:
        try:
            index = self.index() if self.index else None
        except Exception as exc:  # no index: citations still name the sections
            log.warning("notes index unavailable for citations: %s", type(exc).__name__)
            index = None
        return say.cite(question, index)

    async def channel_streaks(
        self, platform: str, channel: str, until: DailyPost | None = None
    ) -> dict[str, say.Streak]:
        """Every member's streaks over the channel's published posts (up to `until`, inclusive).
        Without `until`, today's open post doesn't break a streak before its reveal."""
        posts = await self.posts.history(platform, channel, statuses=PUBLISHED)
        if until is not None:
            posts = [p for p in posts if (p.day, p.id) <= (until.day, until.id)]
        answers: dict[str, dict[int, bool]] = defaultdict(dict)
        names: dict[str, str] = {}
        for item in await self.posts.answers([p.id for p in posts]):
            answers[item.user][item.post_id] = item.correct
            names[item.user] = item.name or names.get(item.user, "")
        open_post = posts[-1].id if posts and until is None and posts[-1].status == "posted" else None
        return say.streaks([p.id for p in posts], answers, names, open_post=open_post)
