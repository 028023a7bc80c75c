import pytest
from django.db import transaction

from hris.audit.models import AuditChainHead, AuditEvent
from hris.audit.services import audit_batch, audit_record
from hris.audit.verification import verify_audit_chain


def _record(number: int) -> None:
    audit_record(actor=None, action="test.event", target_type="test", target_id=number, after={"number": number})


@pytest.mark.django_db
def test_batch_writes_the_same_chain_in_a_few_queries(django_assert_max_num_queries):
    # Given one event written directly
    with transaction.atomic():
        _record(0)
    # When fifty more are written in a batch
    with django_assert_max_num_queries(8), transaction.atomic(), audit_batch():
        for number in range(1, 51):
            _record(number)
    # Then the chain has 51 consecutive events, verifies, and a later direct write links on
    with transaction.atomic():
        _record(51)
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, 53))
    assert [event.after["number"] for event in AuditEvent.objects.order_by("sequence")] == list(range(52))
    assert verify_audit_chain().ok
    assert AuditChainHead.objects.get().last_sequence == 52


@pytest.mark.django_db
def test_a_failing_batch_writes_nothing():
    with transaction.atomic():
        _record(0)
    with pytest.raises(ValueError), transaction.atomic(), audit_batch():
        _record(1)
        raise ValueError("refused")
    assert AuditEvent.objects.count() == 1
    assert AuditChainHead.objects.get().last_sequence == 1
    assert verify_audit_chain().ok


@pytest.mark.django_db(transaction=True)
def test_batch_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError), audit_batch():
        pass
