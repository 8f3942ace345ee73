"""The API key appears in no repr, error, log line or pickle."""

from __future__ import annotations

import logging
import pickle

import pytest

from nbwidgets import Client
from nbwidgets.client import NbwidgetsError, RetryPolicy

KEY = "sk-very-secret-key-0123456789"


def test_key_is_in_no_repr_error_log_or_pickle(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    for factory in (Client.orq, Client.overmind):
        client = factory(KEY, sandbox.url, retry=RetryPolicy(max_retries=1, initial_delay=0.01))
        texts = [repr(client), str(client), repr(vars(client)), client.label]
        with pytest.raises(NbwidgetsError) as info:  # wrong key: 401
            client.list_agents() if client.service == "overmind" else client.list_datasets()
        texts += [str(info.value), repr(info.value), repr(info.value.body)]
        assert pickle.loads(pickle.dumps(info.value)).status == 401
        with pytest.raises(TypeError) as refused:
            pickle.dumps(client)
        texts.append(str(refused.value))
        with pytest.raises(TypeError):
            pickle.dumps(client._key)
        client.close()
        texts += [record.getMessage() for record in caplog.records]
        assert caplog.records, "the client logged nothing to check"
        assert not [t for t in texts if KEY in t]


def test_key_from_environment_is_hidden_too(monkeypatch):
    monkeypatch.setenv("ORQ_API_KEY", KEY)
    client = Client.orq()
    assert client.base_url == "https://api.orq.ai" and KEY not in repr(client) and "key=set" in repr(client)
    client.close()
