#!/usr/bin/env python3
"""Writes the SupportTriage sample's synthetic triage data. Deterministic, no network, no model.

    python3 samples/SupportTriage/data/make_triage_data.py

It writes two files, both SYNTHETIC: written by this script for the demo, not produced by a model.

- evals/triage.jsonl: the triage task's eval set. The three hand-written rows it had before come first, unchanged;
  then synthetic tickets from the templates below, with the category and priority a support lead would give them.
- recordings/support-demo.jsonl: the replay recording. Every row written by hand for the demo (ids starting with
  "support-demo-") is kept as it is; every synthetic row is regenerated: one per eval ticket and one per extra demo
  ticket Program.cs sends, each with an answer from every model the sample's tiers use.

The answers are invented by rules, per ticket, from a seeded random generator, to show what the router's classifier
is for: difficulty that is visible in the text. Simple tickets (one short question) are answered right and
confidently by every model. Hard tickets (a pasted stack trace, several problems in one ticket, chargeback or legal
language) are where the small model is often wrong, sometimes confidently so, the medium model mostly right and the
large model right. Summaries are free text (the eval ignores them: --ignore-field summary).
Token counts are characters/4 estimates, and costs follow from them at the sample's prices (cost_estimated: true).

After running it, re-run the eval and calibration (README, "The sample") and commit the three files.
"""

import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(HERE)
EVAL_SET = os.path.join(SAMPLE, "evals", "triage.jsonl")
RECORDING = os.path.join(SAMPLE, "recordings", "support-demo.jsonl")

SEED = 12
SYNTHETIC_EVAL_ROWS = 147  # plus the three hand-written rows: 150, enough for the calibration's cross-validation
SOURCE = ("synthetic: written by samples/SupportTriage/data/make_triage_data.py for the RoutedPrompts SupportTriage "
          "demo; not produced by a model")

# What the triage task sends (SupportPrompts.TriageAsync: its Instructions and Prompt, rendered by the generated
# message builder). A change there makes every synthetic row a replay miss until this script is run again.
SYSTEM = "You triage customer support tickets. Answer with JSON only."
USER = "Classify this ticket.\nTicket: {ticket}"

# The models behind the sample's tiers (routedprompts.json) and their USD per million input/output tokens.
MODELS = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4o": (2.50, 10.00),
}

# Per model and kind of ticket: the chance the answer is right, and the confidence ranges (probability of the answer's
# tokens) of right and wrong answers. "invalid" is the chance the small model answers in prose instead of JSON.
BEHAVIOUR = {
    "easy": {
        "gpt-4o-mini": dict(right=0.96, right_conf=(0.90, 0.995), wrong_conf=(0.50, 0.80), invalid=0.0),
        "gpt-4.1-mini": dict(right=0.99, right_conf=(0.93, 0.995), wrong_conf=(0.50, 0.80), invalid=0.0),
        "gpt-4o": dict(right=1.00, right_conf=(0.95, 0.998), wrong_conf=(0.50, 0.80), invalid=0.0),
    },
    "hard": {
        "gpt-4o-mini": dict(right=0.35, right_conf=(0.70, 0.95), wrong_conf=(0.30, 0.78), invalid=0.08),
        "gpt-4.1-mini": dict(right=0.88, right_conf=(0.80, 0.97), wrong_conf=(0.40, 0.75), invalid=0.0),
        "gpt-4o": dict(right=0.97, right_conf=(0.85, 0.99), wrong_conf=(0.50, 0.80), invalid=0.0),
    },
}

APPS = ["mobile", "desktop", "web"]
DEVICES = ["iPhone", "Android phone", "iPad", "Windows laptop", "MacBook"]
BROWSERS = ["Firefox", "Chrome", "Safari", "Edge"]
SCREENS = ["Reports", "Settings", "Inbox", "Calendar", "Projects"]
PLANS = ["Basic", "Pro", "Team", "Family"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
ITEMS = ["charger", "phone case", "keyboard", "desk lamp", "backpack", "water bottle", "headset"]
NAMES = ["Maria Lopez", "Tom Becker", "Aiko Tanaka", "Samir Haddad", "Eva Novak"]
CITIES = ["Lisbon", "Austin", "Krakow", "Dublin"]


def order(rng):
    return "ORD-" + str(rng.randrange(100000, 1000000))


def amount(rng):
    return str(rng.randrange(12, 400)) + "." + str(rng.randrange(10, 100)) + " " + rng.choice(["USD", "EUR", "GBP"])


# Simple tickets: one short question or problem. (category, priority, ticket, summary), filled from the generator.
def easy_ticket(rng):
    app, device, plan = rng.choice(APPS), rng.choice(DEVICES), rng.choice(PLANS)
    month, item, ord_ = rng.choice(MONTHS), rng.choice(ITEMS), order(rng)
    days = rng.randrange(3, 15)
    templates = [
        ("Billing", "High", f"I was charged twice for my {plan} plan this month. Please refund one of the charges.", f"Customer was charged twice for the {plan} plan this month."),
        ("Billing", "Low", f"Can I get a copy of my invoice for {month}?", f"Customer asks for the {month} invoice."),
        ("Billing", "Low", f"How do I switch my {plan} plan from monthly to yearly billing?", "Customer wants to move to yearly billing."),
        ("Billing", "Normal", f"My card was declined when renewing the {plan} plan, but it works everywhere else.", "Renewal card payment declined."),
        ("Technical", "Normal", f"The {app} app freezes when I open the {rng.choice(SCREENS)} screen.", f"The {app} app freezes on one screen."),
        ("Technical", "Normal", f"Notifications stopped working on my {device} after the last update.", f"No notifications on {device} since the update."),
        ("Technical", "Normal", f"The export to PDF button does nothing in {rng.choice(BROWSERS)}.", "PDF export does nothing in the browser."),
        ("Technical", "Normal", f"I get error code E{rng.randrange(100, 999)} when I sync my {device}.", f"Sync error on {device}."),
        ("Account", "Low", "How do I reset my password?", "Customer asks how to reset the password."),
        ("Account", "Low", f"Please change the name on my account to {rng.choice(NAMES)}.", "Customer wants the account name changed."),
        ("Account", "Normal", "I want to delete my account. How do I do that?", "Customer wants to delete the account."),
        ("Account", "Low", "How do I turn on two-factor authentication?", "Customer asks how to enable two-factor authentication."),
        ("Account", "High", "I can't log in: it says my account is locked.", "Customer is locked out of the account."),
        ("Shipping", "High" if days > 7 else "Normal", f"Where is my order {ord_}? It was due {days} days ago.", f"Order {ord_} is {days} days late."),
        ("Shipping", "Normal", f"Can I change the delivery address for order {ord_}?", f"Customer wants to change the address of order {ord_}."),
        ("Shipping", "Low", f"I'd like to return the {item} I bought last week.", f"Customer wants to return a {item}."),
        ("Shipping", "High", f"My order {ord_} arrived without the {item}.", f"Order {ord_} arrived missing the {item}."),
        ("Other", "Low", "Do you have a student discount?", "Customer asks about a student discount."),
        ("Other", "Low", f"Are you hiring support staff in {rng.choice(CITIES)}?", "Job enquiry."),
        ("Other", "Low", "I love the new design, thanks!", "Positive feedback on the new design."),
    ]
    category, priority, ticket, summary = rng.choice(templates)
    # The small model's plausible slip on a simple ticket: the priority one step off.
    return dict(kind="easy", category=category, priority=priority, ticket=ticket, summary=summary,
                confusion=(category, shift(priority, rng.choice([-1, 1]))))


PRIORITIES = ["Low", "Normal", "High", "Urgent"]
CATEGORIES = ["Billing", "Technical", "Account", "Shipping", "Other"]


def shift(priority, step):
    i = PRIORITIES.index(priority) + step
    return PRIORITIES[i if 0 <= i < len(PRIORITIES) else i - 2 * step]


def stack_trace(rng):
    line = rng.randrange(40, 900)
    if rng.random() < 0.5:
        return ("java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"token\" is null\n"
                f"    at com.acme.sync.Uploader.push(Uploader.java:{line})\n"
                f"    at com.acme.sync.Queue.drain(Queue.java:{line // 3 + 7})\n"
                "    at java.base/java.lang.Thread.run(Thread.java:1583)")
    return ("Traceback (most recent call last):\n"
            f"  File \"/app/acme/sync.py\", line {line}, in push\n"
            "    payload = session[\"token\"]\n"
            "KeyError: 'token'")


# Hard tickets: the difficulty is in the text. Each comes with the small model's typical confusion.
def hard_ticket(rng):
    kind = rng.choice(["trace", "several", "legal"])
    app, plan, ord_, month = rng.choice(APPS), rng.choice(PLANS), order(rng), rng.choice(MONTHS)
    if kind == "trace":
        action, wrong = rng.choice([
            (f"pay for the {plan} plan", ("Billing", "Normal")),
            ("log in with Google", ("Account", "Normal")),
            ("upload an attachment", ("Technical", "Normal")),
            (f"track order {ord_}", ("Shipping", "Normal")),
        ])
        everyone = rng.random() < 0.4
        ticket = (f"Since this morning nobody on our team can {action} in the {app} app." if everyone
                  else f"Every time I try to {action} in the {app} app it fails.") + f" The log says:\n{stack_trace(rng)}"
        return dict(kind="hard", category="Technical", priority="Urgent" if everyone else "High", ticket=ticket,
                    summary=f"The {app} app throws an exception when {'the team tries' if everyone else 'the customer tries'} to {action}.",
                    confusion=wrong)
    if kind == "several":
        problems = [
            ("Billing", f"my {month} invoice shows the wrong VAT number"),
            ("Technical", f"the {app} app logs me out every hour"),
            ("Shipping", f"order {ord_} still has not shipped"),
            ("Account", "I can't add a second admin to our account"),
        ]
        rng.shuffle(problems)
        chosen = problems[:3]
        worst = rng.randrange(1, 3)  # never the first mentioned: the small model takes the first one
        ticket = (f"Three things. First, {chosen[0][1]}. Also {chosen[1][1]}, and {chosen[2][1]}. "
                  f"The {['first', 'second', 'third'][worst]} one is the real problem, it blocks my work.")
        return dict(kind="hard", category=chosen[worst][0], priority="High", ticket=ticket,
                    summary=f"Several issues; the blocking one: {chosen[worst][1]}.", confusion=(chosen[0][0], "Normal"))
    money = amount(rng)
    ticket, category, priority, summary, wrong = rng.choice([
        (f"I have disputed the {money} charge with my bank (chargeback) because you billed me after I cancelled. "
         "If this is not reversed within 7 days my lawyer will contact you.",
         "Billing", "Urgent", f"Chargeback filed for {money}; legal action threatened.", ("Billing", "Normal")),
        ("Under GDPR Article 15 I request a copy of all personal data you hold about me, and under Article 17 its "
         "erasure afterwards. Please confirm within the statutory one month.",
         "Account", "High", "GDPR access and erasure request.", ("Other", "Low")),
        (f"Your courier lost order {ord_}. I am a consumer and under the Consumer Rights Act I am entitled to a "
         f"full refund of {money}; otherwise I will start a small claims case.",
         "Shipping", "Urgent", f"Lost order {ord_}; refund demanded, small claims threatened.", ("Billing", "High")),
        (f"This is a formal complaint: I was billed {money} for the {plan} plan after my trial ended, without notice, "
         "which I believe breaches your own terms. I have reported it to my card issuer as a disputed transaction.",
         "Billing", "Urgent", f"Formal complaint and card dispute over {money}.", ("Billing", "Low")),
    ])
    return dict(kind="hard", category=category, priority=priority, ticket=ticket, summary=summary, confusion=wrong)


# Tickets Program.cs sends that are not in the eval set (held out from training): their answers follow the same
# behaviour; the enterprise ones go straight to Medium by the sample's rule.
DEMO_TICKETS = [
    dict(kind="easy", category="Account", priority="High",
         ticket="Our SSO login fails for all 40 seats since this morning.", summary="SSO login fails for the whole company.",
         confusion=("Technical", "High")),
    dict(kind="easy", category="Billing", priority="Normal",
         ticket="Please send the invoice for PO 7781 with our VAT number on it.", summary="Invoice for PO 7781 with the VAT number.",
         confusion=("Billing", "Low")),
    dict(kind="hard", category="Technical", priority="High",
         ticket="Every time I try to export a report in the desktop app it fails. The log says:\n"
                "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"token\" is null\n"
                "    at com.acme.export.Writer.flush(Writer.java:212)\n"
                "    at java.base/java.lang.Thread.run(Thread.java:1583)",
         summary="Report export fails with a NullPointerException in the desktop app.", confusion=("Technical", "Normal")),
    dict(kind="hard", category="Billing", priority="Urgent",
         ticket="I have disputed the 89.00 EUR charge with my bank (chargeback) because you billed me after I cancelled. "
                "If this is not reversed within 7 days my lawyer will contact you.",
         summary="Chargeback filed for 89.00 EUR; legal action threatened.", confusion=("Billing", "Normal")),
]


def answer(model, row, rng):
    behaviour = BEHAVIOUR[row["kind"]][model]
    if rng.random() < behaviour["invalid"]:
        text = f"Category: {row['confusion'][0]}\nPriority: {row['confusion'][1]}\n{row['summary']}"
        confidence = rng.uniform(0.40, 0.80)
    else:
        right = rng.random() < behaviour["right"]
        category, priority = (row["category"], row["priority"]) if right else row["confusion"]
        text = json.dumps({"category": category, "priority": priority, "summary": row["summary"]}, separators=(",", ":"))
        confidence = rng.uniform(*behaviour["right_conf" if right else "wrong_conf"])
    input_price, output_price = MODELS[model]
    input_tokens = math.ceil((len(SYSTEM) + len(USER.format(ticket=row["ticket"]))) / 4) + 8
    output_tokens = math.ceil(len(text) / 4)
    return {
        "text": text,
        "cost_usd": round((input_tokens * input_price + output_tokens * output_price) / 1e6, 10),
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "logprob": round(math.log(confidence), 4),
        "cost_estimated": True,
    }


def recording_row(row_id, split, row, rng):
    return {
        "id": row_id, "dataset": "support-demo", "split": split, "source": SOURCE,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER.format(ticket=row["ticket"])}],
        "reference": None,
        "responses": {model: answer(model, row, rng) for model in MODELS},
    }


def main():
    rng = random.Random(SEED)
    with open(EVAL_SET, encoding="utf-8") as f:
        hand_eval = [l for l in f.read().splitlines() if l.strip() and "triage-synthetic-" not in l]
    with open(RECORDING, encoding="utf-8") as f:
        hand_recording = [l for l in f.read().splitlines() if l.strip() and json.loads(l)["id"].startswith("support-demo-")]

    synthetic, seen = [], set(json.loads(l)["inputs"]["ticket"] for l in hand_eval)
    while len(synthetic) < SYNTHETIC_EVAL_ROWS:
        row = hard_ticket(rng) if rng.random() < 0.35 else easy_ticket(rng)
        if row["ticket"] not in seen and row["ticket"] not in (d["ticket"] for d in DEMO_TICKETS):
            seen.add(row["ticket"])
            synthetic.append(row)

    eval_lines = hand_eval + [json.dumps({
        "id": f"triage-synthetic-{i + 1:03d}",
        "inputs": {"ticket": row["ticket"]},
        "expected": {"category": row["category"], "priority": row["priority"], "summary": row["summary"]},
    }) for i, row in enumerate(synthetic)]
    recording_lines = hand_recording + [
        json.dumps(recording_row(f"triage-synthetic-{i + 1:03d}", "train", row, rng)) for i, row in enumerate(synthetic)
    ] + [json.dumps(recording_row(f"triage-synthetic-demo-{i + 1}", "test", row, rng)) for i, row in enumerate(DEMO_TICKETS)]

    # Every eval ticket must be answered by every model (eval runs every tier; a miss fails it).
    recorded = {}
    for line in recording_lines:
        r = json.loads(line)
        recorded.setdefault(r["messages"][-1]["content"], set()).update(r["responses"])
    for line in eval_lines:
        ticket = json.loads(line)["inputs"]["ticket"]
        missing = set(MODELS) - recorded.get(USER.format(ticket=ticket), set())
        if missing:
            sys.exit(f"{RECORDING}: no answer of {', '.join(sorted(missing))} for the eval ticket {ticket!r}")

    with open(EVAL_SET, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(eval_lines) + "\n")
    with open(RECORDING, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(recording_lines) + "\n")
    hard = sum(r["kind"] == "hard" for r in synthetic)
    print(f"{EVAL_SET}: {len(eval_lines)} rows ({hard} synthetic hard, {len(synthetic) - hard} synthetic simple, {len(hand_eval)} hand-written)")
    print(f"{RECORDING}: {len(recording_lines)} rows ({len(hand_recording)} hand-written)")


if __name__ == "__main__":
    main()
