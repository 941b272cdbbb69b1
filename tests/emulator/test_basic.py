"""V.250 basics at the byte level: echo, result formats, editing, chaining, unknown commands."""

from __future__ import annotations


def test_echo_is_on_by_default(bench):
    dte = bench.line()
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")
    dte.silent(0.1)


def test_ate0_turns_echo_off_and_ate1_back_on(bench):
    dte = bench.line()
    dte.write(b"ATE0\r")
    dte.expect(b"ATE0\r\r\nOK\r\n")  # the line itself was echoed before it ran
    dte.write(b"AT\r")
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"ATE1\r")
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")


def test_atv0_gives_numeric_result_codes(bench):
    dte = bench.line()
    dte.write(b"ATV0\r")
    dte.expect(b"ATV0\r0\r")
    dte.write(b"AT+NOSUCH\r")
    dte.expect(b"AT+NOSUCH\r4\r")
    dte.write(b"AT+CSQ\r")
    dte.expect(b"AT+CSQ\r+CSQ: 20,0\r\n0\r")  # V0: text<CR><LF>, then <code><CR>
    dte.write(b"ATV1\r")
    dte.expect(b"ATV1\r\r\nOK\r\n")


def test_atq1_suppresses_result_codes_but_not_information(bench):
    dte = bench.line()
    dte.write(b"ATQ1\r")
    dte.expect(b"ATQ1\r")
    dte.silent(0.1)
    dte.write(b"AT+CSQ\r")
    dte.expect(b"AT+CSQ\r\r\n+CSQ: 20,0\r\n")
    dte.silent(0.1)
    dte.write(b"AT+NOSUCH\r")
    dte.expect(b"AT+NOSUCH\r")
    dte.silent(0.1)
    dte.write(b"ATQ0\r")
    dte.expect(b"ATQ0\r\r\nOK\r\n")


def test_a_slash_repeats_the_last_command_line(bench):
    dte = bench.line()
    dte.write(b"AT+CGMI\r")
    dte.expect(b"AT+CGMI\r\r\nmodemd\r\n\r\nOK\r\n")
    dte.write(b"A/")  # no terminator: A/ runs at once
    dte.expect(b"A/\r\nmodemd\r\n\r\nOK\r\n")
    dte.write(b"a/")
    dte.expect(b"a/\r\nmodemd\r\n\r\nOK\r\n")


def test_backspace_and_delete_edit_the_line(bench):
    dte = bench.line()
    dte.write(b"AT+CGMX\x08I\r")
    dte.expect(b"AT+CGMX\x08I\r\r\nmodemd\r\n\r\nOK\r\n")
    dte.write(b"AT+CGMMM\x7f\r")
    dte.expect(b"AT+CGMMM\x7f\r\r\nEmulated GSM Modem\r\n\r\nOK\r\n")


def test_semicolon_chains_extended_commands(bench):
    dte = bench.line()
    dte.write(b"AT+CMGF=1;+CNMI=0,0,0,0,0\r")
    dte.expect(b"AT+CMGF=1;+CNMI=0,0,0,0,0\r\r\nOK\r\n")
    dte.write(b"AT+CMGF=0;+CNMI=2,1,0,2,0\r")
    dte.expect(b"AT+CMGF=0;+CNMI=2,1,0,2,0\r\r\nOK\r\n")
    dte.write(b"AT+CNMI?\r")
    dte.expect(b"AT+CNMI?\r\r\n+CNMI: 2,1,0,2,0\r\n\r\nOK\r\n")
    dte.write(b"AT+CMGF?\r")
    dte.expect(b"AT+CMGF?\r\r\n+CMGF: 0\r\n\r\nOK\r\n")


def test_a_chain_stops_at_the_first_error(bench):
    dte = bench.line()
    dte.write(b"AT+CMGF=1;+NOSUCH;+CMGF=0\r")
    dte.expect(b"AT+CMGF=1;+NOSUCH;+CMGF=0\r\r\nERROR\r\n")
    dte.write(b"AT+CMGF?\r")
    dte.expect(b"AT+CMGF?\r\r\n+CMGF: 1\r\n\r\nOK\r\n")  # ran up to the error, not beyond


def test_basic_commands_chain_without_separator(bench):
    dte = bench.line()
    dte.write(b"ATE0V1\r")
    dte.expect(b"ATE0V1\r\r\nOK\r\n")
    dte.write(b"AT\r")
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"ATE1V0\r")
    dte.expect(b"0\r")
    dte.write(b"AT\r")
    dte.expect(b"AT\r0\r")


def test_lines_not_starting_with_at_are_ignored(bench):
    dte = bench.line()
    dte.write(b"hello\r")
    dte.expect(b"hello\r")  # echoed, as every character is, but never answered
    dte.silent(0.15)
    dte.write(b"\r")
    dte.expect(b"\r")
    dte.silent(0.1)
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")


def test_noise_before_the_at_prefix_is_skipped(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"\x00\xff~xx AT+CGMI\r")
    dte.expect(b"\r\nmodemd\r\n\r\nOK\r\n")
    dte.write(b"A/")  # and the repeated line is the command, without the noise
    dte.expect(b"\r\nmodemd\r\n\r\nOK\r\n")


def test_at_is_case_insensitive(bench):
    dte = bench.line()
    dte.write(b"at+cgmi\r")
    dte.expect(b"at+cgmi\r\r\nmodemd\r\n\r\nOK\r\n")


def test_unknown_command_answers_error_with_cmee_0(bench):
    dte = bench.line()
    dte.write(b"AT+NOSUCH\r")
    dte.expect(b"AT+NOSUCH\r\r\nERROR\r\n")


def test_unknown_command_answers_cme_error_per_cmee(bench):
    dte = bench.line()
    dte.setup("AT+CMEE=1")
    answer = dte.command("AT+NOSUCH")
    assert answer.startswith(b"\r\n+CME ERROR: ") and answer[14:-2].isdigit(), answer
    dte.ok("AT+CMEE=2")
    answer = dte.command("AT+NOSUCH")
    assert answer.startswith(b"\r\n+CME ERROR: "), answer


def test_cme_error_formats_follow_cmee(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"AT+CMEE=7\r")
    dte.expect(b"\r\n+CME ERROR: 50\r\n")
    dte.ok("AT+CMEE=2")
    dte.write(b"AT+CMEE=7\r")
    dte.expect(b"\r\n+CME ERROR: incorrect parameters\r\n")
    dte.ok("AT+CMEE=0")
    dte.write(b"AT+CMEE=7\r")
    dte.expect(b"\r\nERROR\r\n")
    dte.write(b"AT+CMEE?\r")
    dte.expect(b"\r\n+CMEE: 0\r\n\r\nOK\r\n")


def test_huawei_unknown_command_says_command_not_support(bench):
    dte = bench.line(profile="huawei")
    dte.write(b"AT+NOSUCH\r")
    dte.expect(b"AT+NOSUCH\r\r\r\nCOMMAND NOT SUPPORT\r\r\n")


def test_atz_restores_defaults(bench):
    dte = bench.line()
    dte.write(b"ATE0V0\r")
    dte.expect(b"ATE0V0\r0\r")
    dte.write(b"ATZ\r")
    dte.expect(b"\r\nOK\r\n")  # the OK already comes in the restored format
    dte.write(b"AT\r")
    dte.expect(b"AT\r\r\nOK\r\n")


def test_s_registers_read_back_in_three_digits(bench):
    dte = bench.line()
    dte.setup()
    dte.write(b"ATS3?\r")
    dte.expect(b"\r\n013\r\n\r\nOK\r\n")
    dte.write(b"ATS0=2\r")
    dte.expect(b"\r\nOK\r\n")
    dte.write(b"ATS0?\r")
    dte.expect(b"\r\n002\r\n\r\nOK\r\n")


def test_clac_lists_vendor_commands_of_the_profile(bench):
    dte = bench.line(profile="quectel")
    dte.read_until(b"RDY\r\n")
    answer = dte.command("AT+CLAC")
    lines = answer.split(b"\r\n")
    assert b"AT+QCCID" in lines and b"AT+CMGS" in lines and b"AT+CPMS" in lines
    assert answer.endswith(b"\r\nOK\r\n")
