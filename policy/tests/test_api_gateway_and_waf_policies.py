"""API Gateway and WAF policies: a compliant resource (or stack), then one change per rule."""

from __future__ import annotations

import policies
from harness import check_resource, check_stack, policy_resource
from pulumi_policy import PolicyResource

SETTINGS = {"metricsEnabled": True, "loggingLevel": "ERROR", "dataTraceEnabled": False}
ACL_ARN = "arn:aws:wafv2:ap-southeast-1:123456789012:regional/webacl/tracking-web-acl/0a1b2c3d"


def test_method_settings_without_data_trace_pass():
    props = {"methodPath": "*/*", "settings": SETTINGS}
    assert check_resource(policies.apigateway_no_data_trace, policies.METHOD_SETTINGS_TYPE, props) == []


def test_full_request_logging_is_refused():
    props = {"methodPath": "*/*", "settings": {**SETTINGS, "dataTraceEnabled": True}}
    [message] = check_resource(policies.apigateway_no_data_trace, policies.METHOD_SETTINGS_TYPE, props)
    assert "dataTraceEnabled" in message


def acl(name: str = "tracking-web-acl") -> PolicyResource:
    return policy_resource(policies.WEB_ACL_TYPE, {"arn": ACL_ARN.replace("tracking-web-acl", name)}, name)


def logging_of(target: PolicyResource) -> PolicyResource:
    """A logging configuration whose resourceArn was computed from `target` (acl.arn)."""
    return policy_resource(
        policies.WEB_ACL_LOGGING_TYPE,
        {"resourceArn": target.props["arn"], "logDestinationConfigs": ["arn:aws:logs:...:aws-waf-logs-x"]},
        f"{target.name}-logging",
        depends_on={"resourceArn": [target]},
    )


def test_a_logged_web_acl_passes():
    web_acl = acl()
    assert check_stack(policies.wafv2_web_acl_logging, [web_acl, logging_of(web_acl)]) == []


def test_a_web_acl_without_logging_is_reported_against_the_acl():
    web_acl = acl()
    [(message, urn)] = check_stack(policies.wafv2_web_acl_logging, [web_acl])
    assert (urn, "aws-waf-logs-" in message) == (web_acl.urn, True)


def test_another_acls_logging_does_not_count_and_a_literal_arn_does():
    logged, unlogged = acl("logged"), acl("unlogged")
    [(_, urn)] = check_stack(policies.wafv2_web_acl_logging, [logged, unlogged, logging_of(logged)])
    assert urn == unlogged.urn
    literal = policy_resource(policies.WEB_ACL_LOGGING_TYPE, {"resourceArn": unlogged.props["arn"]}, "literal")
    assert check_stack(policies.wafv2_web_acl_logging, [logged, unlogged, logging_of(logged), literal]) == []


def _managed(group: str) -> dict:
    return {"name": group, "statement": {"managedRuleGroupStatement": {"vendorName": "AWS", "name": group}}}


RATE_RULE = {"name": "rate-limit-per-ip", "statement": {"rateBasedStatement": {"limit": 2000}}}


def test_a_web_acl_with_known_bad_inputs_passes():
    groups = ("AWSManagedRulesCommonRuleSet", policies.KNOWN_BAD_INPUTS_RULE_GROUP)
    props = {"rules": [RATE_RULE, *(_managed(group) for group in groups)]}
    assert check_resource(policies.wafv2_known_bad_inputs, policies.WEB_ACL_TYPE, props) == []


def test_a_web_acl_without_known_bad_inputs_fails():
    props = {"rules": [RATE_RULE, _managed("AWSManagedRulesCommonRuleSet")]}
    [message] = check_resource(policies.wafv2_known_bad_inputs, policies.WEB_ACL_TYPE, props)
    assert policies.KNOWN_BAD_INPUTS_RULE_GROUP in message
