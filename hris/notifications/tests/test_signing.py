"""The vendors' signing algorithms, pinned to the test vectors of the connectors README."""

from urllib.parse import quote_plus

from django.test import override_settings

from hris.notifications import robots


def test_dingtalk_signature_matches_the_readme_vector():
    signature = robots.dingtalk_sign("SEC0123456789abcdef", 1700000000000)

    assert signature == "TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk="
    assert quote_plus(signature) == "TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"


def test_dingtalk_signed_url_appends_timestamp_and_url_encoded_sign():
    url = robots.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SEC0123456789abcdef", 1700000000000)

    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"
    )
    assert robots.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "", 1) == (
        "https://oapi.dingtalk.com/robot/send?access_token=abc"
    )


def test_feishu_signature_matches_the_readme_vector():
    assert robots.feishu_sign("demo-secret", 1599360473) == "3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s="


def test_feishu_message_carries_timestamp_and_sign_only_when_signed(settings):
    settings.RENSHI_BASE_URL = "https://hr.example.cn/"
    signed = robots.feishu_message("标题", "正文", "/kpi/", "demo-secret", 1599360473)
    unsigned = robots.feishu_message("标题", "正文", "/kpi/", "", 1599360473)

    assert signed["timestamp"] == "1599360473"
    assert signed["sign"] == "3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s="
    assert "sign" not in unsigned and "timestamp" not in unsigned
    assert unsigned["content"]["post"]["zh_cn"]["content"][-1] == [
        {"tag": "a", "text": "Open in Renshi", "href": "https://hr.example.cn/kpi/"}
    ]


def test_wecom_text_is_cut_to_2048_bytes_of_utf8():
    message = robots.wecom_message("标题", "长" * 1000, "/x/")

    content = message["text"]["content"]
    assert len(content.encode("utf-8")) <= 2048
    assert content.startswith("标题\n长长")
    assert content.endswith("…")


def test_robot_urls_are_checked_and_shown_masked():
    assert robots.url_problem("dingtalk", "https://oapi.dingtalk.com/robot/send") is not None
    assert robots.url_problem("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456") is None
    assert robots.url_problem("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=") is not None
    assert robots.url_problem("feishu", "ftp://open.feishu.cn/open-apis/bot/v2/hook/x") is not None
    assert robots.url_problem("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef") is None
    assert robots.url_hint("https://oapi.dingtalk.com/robot/send?access_token=abcdef123456") == (
        "https://oapi.dingtalk.com/robot/send?access_token=abc…3456"
    )
    assert robots.url_hint("https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef") == (
        "https://open.feishu.cn/open-apis/bot/v2/hook/012…cdef"
    )


@override_settings(RENSHI_ROBOT_EXTRA_HOSTS=[])
def test_robot_urls_go_only_to_the_vendors_hosts_over_https():
    assert robots.url_problem("dingtalk", "https://evil.example/robot/send?access_token=abc") == (
        "A DingTalk group robot URL points to oapi.dingtalk.com; “evil.example” is not one of them."
    )
    assert robots.url_problem("wecom", "https://oapi.dingtalk.com/cgi-bin/webhook/send?key=K") == (
        "A WeCom group robot URL points to qyapi.weixin.qq.com; “oapi.dingtalk.com” is not one of them."
    )
    assert robots.url_problem("feishu", "https://10.0.0.5/open-apis/bot/v2/hook/x") == (
        "A Feishu group robot URL points to open.feishu.cn, open.larksuite.com; “10.0.0.5” is not one of them."
    )
    assert robots.url_problem("dingtalk", "http://oapi.dingtalk.com/robot/send?access_token=abc") == (
        "Use the https:// address the robot's settings show."
    )
    assert robots.url_problem("dingtalk", "https://OAPI.DingTalk.com/robot/send?access_token=abc") is None
    assert robots.url_problem("feishu", "https://open.larksuite.com/open-apis/bot/v2/hook/0123456789abcdef") is None
    assert robots.url_problem("wecom", "https://qyapi.weixin.qq.com:99999/cgi-bin/webhook/send?key=K") == "Enter a valid URL."


@override_settings(RENSHI_ROBOT_EXTRA_HOSTS=["relay.corp.internal"])
def test_an_operator_named_host_is_allowed_also_over_http():
    assert robots.url_problem("dingtalk", "http://relay.corp.internal:8080/robot/send?access_token=abc") is None
    assert robots.url_problem("dingtalk", "http://relay.corp.internal:8080/robot/send") == (
        "A DingTalk robot URL contains access_token=…; copy it from the robot's settings."
    )
    assert robots.url_problem("wecom", "https://other.corp.internal/cgi-bin/webhook/send?key=K") is not None
