"""Messages in free text or from a template, their live preview, the merge-field picker, and the
outcomes staff read (template names, failures as sentences)."""

import pytest

from services.notifier.adapters.delivery import Mail, PermanentDeliveryError, TransientDeliveryError, _by_code
from services.notifier.domain.failures import failure_sentence
from services.notifier.domain.announcements import new_message
from tests.unit.notifier.fakes import NOW, FakeNotifierStore, served

FREE_TEXT = {"location_id": "l-1", "client_id": "c-1", "subject": "Hello {{ first_name }}",
             "body": "Dear {{full_name}}, you owe {{balance}}."}


class Mailer:
    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[Mail] = []
        self.error = error

    async def send(self, mail: Mail) -> None:
        if self.error:
            raise self.error
        self.sent.append(mail)


def with_client(**profile) -> FakeNotifierStore:
    store = FakeNotifierStore()
    store.add_member("l-1", "c-1", balance_minor=-1250, **profile)
    store.docs["templates"]["tpl-1"] = {"_id": "tpl-1", "name": "Balance reminder", "subject": "Hi {{first_name}}",
                                        "body": "{{balance}}"}
    return store


async def test_a_free_text_message_is_sent_with_the_clients_values():
    mailer = Mailer()
    http, store, definitions = served(with_client(), mailer=mailer)

    response = await http.post("/v1/messages", json=FREE_TEXT)
    await definitions.dispatcher.run_once()

    assert response.status_code == 202
    [mail] = mailer.sent
    assert (mail.to, mail.subject, mail.body) == ("ada@example.com", "Hello Ada",
                                                  "Dear Ada Lovelace, you owe -$12.50.")


async def test_the_preview_shows_the_clients_real_values_and_sends_nothing():
    mailer = Mailer()
    http, store, _ = served(with_client(), mailer=mailer)

    free = await http.post("/v1/messages/preview", json=FREE_TEXT)
    templated = await http.post("/v1/messages/preview", json={"location_id": "l-1", "client_id": "c-1",
                                                               "template_id": "tpl-1"})

    assert free.json() == {"subject": "Hello Ada", "body": "Dear Ada Lovelace, you owe -$12.50.",
                           "to": "ada@example.com"}
    assert (templated.json()["subject"], templated.json()["body"]) == ("Hi Ada", "-$12.50")
    assert store.docs["messages"] == {} and mailer.sent == []


async def test_rendering_never_evaluates_what_a_client_typed_as_their_name():
    http, _, _ = served(with_client(first_name="{{balance}} {% import os %}"))

    preview = await http.post("/v1/messages/preview", json=FREE_TEXT)

    assert preview.json()["subject"] == "Hello {{balance}} {% import os %}"


async def test_the_preview_of_a_client_the_notifier_does_not_know_is_404():
    http, _, _ = served(with_client())

    response = await http.post("/v1/messages/preview", json={**FREE_TEXT, "client_id": "nobody"})

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/preview"])
async def test_an_unknown_merge_field_in_free_text_is_422_naming_it(path):
    http, store, _ = served(with_client())

    response = await http.post(path, json={**FREE_TEXT, "body": "Your {{ points }} and {{user.__class__}}"})

    assert response.status_code == 422
    assert "body" in response.text and "points" in response.text and "user.__class__" in response.text
    assert store.docs["messages"] == {}


@pytest.mark.parametrize("body", [
    {"template_id": "tpl-1", "subject": "x", "body": "y"},
    {"template_id": "tpl-1", "body": "y"},
    {"subject": "only a subject"},
    {"body": "only a body"},
    {},
])
async def test_a_message_is_either_a_template_or_free_text_else_422(body):
    http, store, _ = served(with_client())

    response = await http.post("/v1/messages", json={"location_id": "l-1", "client_id": "c-1", **body})

    assert response.status_code == 422 and store.docs["messages"] == {}


async def test_a_message_for_another_location_is_403():
    http, _, _ = served(with_client(), locations=["l-2"])

    assert (await http.post("/v1/messages", json=FREE_TEXT)).status_code == 403
    assert (await http.post("/v1/messages/preview", json=FREE_TEXT)).status_code == 403


async def test_the_message_list_names_the_template_and_shows_a_free_texts_subject():
    http, _, definitions = served(with_client(), mailer=Mailer())
    await http.post("/v1/messages", json=FREE_TEXT)
    await http.post("/v1/messages", json={"location_id": "l-1", "client_id": "c-1", "template_id": "tpl-1"})
    await definitions.dispatcher.run_once()

    items = (await http.get("/v1/messages", params={"location": "l-1", "client_id": "c-1"})).json()["items"]

    assert {(i["template_name"], i["subject"], i["status"]) for i in items} == {
        ("Balance reminder", "Hi {{first_name}}", "sent"), (None, "Hello {{ first_name }}", "sent")}


async def test_a_refused_message_fails_with_a_sentence_not_the_servers_raw_text():
    error = PermanentDeliveryError("SMTP 550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown")
    http, _, definitions = served(with_client(), mailer=Mailer(error))
    await http.post("/v1/messages", json=FREE_TEXT)
    await definitions.dispatcher.run_once()

    [item] = (await http.get("/v1/messages", params={"location": "l-1", "client_id": "c-1"})).json()["items"]

    assert (item["status"], item["reason"]) == ("failed", "The mail server refused the message (SMTP 550); it was "
                                                          "not sent.")


def test_every_kind_of_delivery_failure_reads_as_a_sentence():
    busy = PermanentDeliveryError(f"gave up after 4 attempts: {_by_code(451, '4.7.1 try later')}")
    unreachable = PermanentDeliveryError("gave up after 4 attempts: cannot reach the SMTP server: "
                                         "[Errno 111] Connection refused")

    assert failure_sentence(str(busy)) == ("The mail server kept asking to try later (SMTP 451); the message was "
                                           "not sent after 4 attempts.")
    assert "could not be reached" in failure_sentence(str(unreachable))
    assert "broke off" in failure_sentence("SMTP exchange broke off: SMTPServerDisconnected('x')")
    assert failure_sentence(str(_by_code(554, "no"))) == ("The mail server refused the message (SMTP 554); it was "
                                                          "not sent.")
    assert isinstance(_by_code(421, "x"), TransientDeliveryError)


async def test_the_merge_fields_are_listed_with_labels_for_the_picker():
    http, _, _ = served()

    items = (await http.get("/v1/templates/merge-fields")).json()["items"]

    assert [i["name"] for i in items] == ["first_name", "last_name", "full_name", "balance", "location_id"]
    assert items[0] == {"name": "first_name", "label": "First name", "placeholder": "{{first_name}}"}


async def test_a_journeys_message_is_listed_with_the_journeys_name():
    store = with_client()
    store.docs["journeys"]["jrn-1"] = {"_id": "jrn-1", "name": "Owing reminder", "audience_id": "owing-balance",
                                       "steps": [{"after": "PT1H", "template_id": "tpl-1"}]}
    await store.insert_new("messages", new_message("msg-j", ("l-1", "c-1"), "tpl-1", ("journey", "jrn-1"), NOW))
    http, _, _ = served(store)

    [item] = (await http.get("/v1/messages", params={"location": "l-1", "client_id": "c-1"})).json()["items"]

    assert (item["origin"], item["origin_name"], item["template_name"]) == ("journey", "Owing reminder",
                                                                           "Balance reminder")
