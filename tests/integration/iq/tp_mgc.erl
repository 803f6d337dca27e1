%% SPDX-License-Identifier: BSD-3-Clause
%%
%% A test H.248 media gateway controller built on Erlang/OTP's megaco
%% stack, so that turnpike's Iq side is checked against an H.248
%% implementation no one here wrote. Driven line by line on stdin; every
%% command gets exactly one answer line on stdout; events the gateway
%% causes (registration, Notify, ...) are printed as their own lines;
%% logs go to stderr. The command language is described in README.md.
%%
%% With --mg the same program plays a stand-in media gateway instead: it
%% registers with an MGC and answers Add/Modify/Subtract/AuditValue with
%% plausible replies. That role only exists to test the MGC itself
%% (selftest.sh) while the real gateway is turnpike-cp.
%%
%% The megaco record definitions (megaco.hrl, megaco_message_v3.hrl) come
%% with erlang-dev, which tests do not need otherwise: the few records
%% used here are matched and built as plain tuples, their layout noted
%% where it is used.
%%
%% Compiled at test time (erlc; an escript would compile itself at every
%% start, 1.5 s here) and run as
%%   erl -noshell -pa DIR -run tp_mgc main -extra OPTIONS...
-module(tp_mgc).

-export([main/0, main/1]).
-export([handle_connect/2, handle_disconnect/3, handle_syntax_error/3,
         handle_message_error/3, handle_trans_request/3,
         handle_trans_long_request/3, handle_trans_reply/4,
         handle_trans_ack/4, handle_unexpected_trans/3,
         handle_trans_request_abort/4, handle_segment_reject/5]).
-export([receive_message/4, process_received_message/4]).

-define(T, tp_mgc_state).
-define(NULL_CTX, 0).
-define(ALL_CTX, 16#FFFFFFFF).
-define(CHOOSE_CTX, 16#FFFFFFFE).
-define(NOVAL, asn1_NOVALUE).
%% Event kinds: printed when they happen, counted, waited for with
%% `wait KIND`.
-define(KINDS, ["registered", "notify", "disconnected", "unexpected",
                "syntax", "msgerror", "request"]).

usage() ->
    io:put_chars(standard_error,
"usage: erl -noshell -pa DIR -run tp_mgc main -extra [options]\n"
"  --listen IP:PORT  UDP address to listen on (default 127.0.0.1:2944;\n"
"                    port 0: a free one, given in the READY line)\n"
"  --tcp             also listen on TCP at the same address\n"
"  --tcp-only        listen on TCP only\n"
"  --compact         send compact text (megaco_compact_text_encoder)\n"
"  --mid MID         our MID (default [IP]:PORT of --listen)\n"
"  --timeout MS      give up on a request after MS (default 5000)\n"
"  --retry MS        UDP retransmission interval, doubled each time (500)\n"
"  --reply-timer MS  keep a reply MS for duplicates of its request (30000)\n"
"  --first-tid N     number our transactions from N (a restarted MGC)\n"
"  --verbose         log megaco's callbacks to stderr\n"
" stand-in gateway (tests of this program only):\n"
"  --mg --mgc IP:PORT [--listen IP:PORT] [--tcp-only] [--mid MID]\n"
"       [--profile NAME/VER] [--port-base N] [--first-tid N]\n"),
    halt(2).

main() -> main([]).

main(_) ->
    %% stdout is the command channel: OTP's own reports go to stderr.
    logger:remove_handler(default),
    logger:add_handler(default, logger_std_h, #{config => #{type => standard_error}}),
    O = parse_args(init:get_plain_arguments(), #{udp => true,
                           tcp => false, compact => false, mg => false,
                           timeout => 5000, retry => 500, verbose => false,
                           port_base => 40000, reply_timer => 30000,
                           notify_error => off, redirect => off}),
    ets:new(?T, [named_table, public, set]),
    ets:insert(?T, {opts, O}),
    [ets:insert(?T, [{{count, K}, 0}, {{consumed, K}, 0}]) || K <- ?KINDS],
    {ok, _} = application:ensure_all_started(megaco),
    case maps:get(mg, O) of
        false -> start_mgc(O);
        true -> start_mg(O)
    end,
    loop().

parse_args([], O) -> O;
parse_args(["--listen", A | T], O) -> parse_args(T, O#{listen => addr(A)});
parse_args(["--mgc", A | T], O) -> parse_args(T, O#{mgc => addr(A)});
parse_args(["--tcp" | T], O) -> parse_args(T, O#{tcp => true});
parse_args(["--tcp-only" | T], O) -> parse_args(T, O#{tcp => true, udp => false});
parse_args(["--compact" | T], O) -> parse_args(T, O#{compact => true});
parse_args(["--mid", M | T], O) -> parse_args(T, O#{mid => M});
parse_args(["--timeout", M | T], O) -> parse_args(T, O#{timeout => list_to_integer(M)});
parse_args(["--retry", M | T], O) -> parse_args(T, O#{retry => list_to_integer(M)});
parse_args(["--reply-timer", M | T], O) -> parse_args(T, O#{reply_timer => list_to_integer(M)});
parse_args(["--verbose" | T], O) -> parse_args(T, O#{verbose => true});
parse_args(["--mg" | T], O) -> parse_args(T, O#{mg => true});
parse_args(["--profile", P | T], O) -> parse_args(T, O#{profile => P});
parse_args(["--port-base", P | T], O) -> parse_args(T, O#{port_base => list_to_integer(P)});
parse_args(["--first-tid", N | T], O) -> parse_args(T, O#{first_tid => list_to_integer(N)});
parse_args(_, _) -> usage().

addr(S) ->
    {H, [$: | P]} = lists:splitwith(fun(C) -> C =/= $: end, S),
    {ok, IP} = inet:parse_ipv4_address(H),
    {IP, list_to_integer(P)}.

opt(K) -> maps:get(K, element(2, hd(ets:lookup(?T, opts)))).

%% ---------------------------------------------------------------------
%% Output: one line per answer or event, CR/LF escaped so that SDP and
%% megaco's layout fit on it.

out(Words) -> io:put_chars(user, [lists:join(" ", Words), "\n"]).

log(F, A) -> io:format(standard_error, "tp_mgc: " ++ F ++ "~n", A).

dbg(F, A) ->
    case opt(verbose) of true -> log(F, A); false -> ok end.

%% The pretty encoder lays a message out with LF and tabs; SDP lines
%% inside Local/Remote end with CRLF. On one line: CR and LF written as
%% \r and \n inside SDP, the layout's LF+tabs as one space.
oneline(B) ->
    S0 = binary_to_list(iolist_to_binary(B)),
    S1 = esc(S0),
    S2 = re:replace(S1, "[\t ]*\n[\t ]*", " ", [global, {return, list}]),
    string:trim(re:replace(S2, "\t", " ", [global, {return, list}])).

esc([$\\ | T]) -> [$\\, $\\ | esc(T)];
esc([$\r, $\n | T]) -> [$\\, $r, $\\, $n | esc(T)];
esc([$\r | T]) -> [$\\, $r | esc(T)];
esc([C | T]) -> [C | esc(T)];
esc([]) -> [].

%% The inverse for command arguments: \r \n \t \\ .
unesc([$\\, $r | T]) -> [$\r | unesc(T)];
unesc([$\\, $n | T]) -> [$\n | unesc(T)];
unesc([$\\, $t | T]) -> [$\t | unesc(T)];
unesc([$\\, $\\ | T]) -> [$\\ | unesc(T)];
unesc([C | T]) -> [C | unesc(T)];
unesc([]) -> [].

mid_str({ip4Address, {'IP4Address', IP, P}}) ->
    "[" ++ inet:ntoa(list_to_tuple(IP)) ++ "]" ++ port_suffix(P);
mid_str({domainName, {'DomainName', N, P}}) -> "<" ++ N ++ ">" ++ port_suffix(P);
mid_str({deviceName, N}) -> N;
mid_str(M) -> lists:flatten(io_lib:format("~0p", [M])).

port_suffix(?NOVAL) -> "";
port_suffix(P) -> ":" ++ integer_to_list(P).

ctx_str(?NULL_CTX) -> "-";
ctx_str(?ALL_CTX) -> "*";
ctx_str(?CHOOSE_CTX) -> "$";
ctx_str(N) -> integer_to_list(N).

term_str({megaco_term_id, _, Parts}) -> lists:flatten(lists:join("/", Parts)).

%% MID text as H.248 writes it: [a.b.c.d]:port, <domain>:port, or a name.
parse_mid("[" ++ R) ->
    {IP, "]" ++ P} = lists:splitwith(fun(C) -> C =/= $] end, R),
    {ok, A} = inet:parse_ipv4_address(IP),
    Port = case P of ":" ++ N -> list_to_integer(N); "" -> ?NOVAL end,
    {ip4Address, {'IP4Address', tuple_to_list(A), Port}};
parse_mid(Name) -> {deviceName, Name}.

%% ---------------------------------------------------------------------
%% Events: counted per kind, kept by number, printed as they happen.

event(Kind, Text) ->
    N = ets:update_counter(?T, {count, Kind}, 1),
    ets:insert(?T, {{event, Kind, N}, Text}),
    out([string:uppercase(Kind), "n=" ++ integer_to_list(N), Text]).

%% Wait until event number N of Kind has happened (N defaults to the one
%% after the last waited for), answer with its text.
wait_event(Kind, Args) ->
    {Tmo, N0} = case Args of
                    [] -> {opt(timeout), default};
                    [T] -> {list_to_integer(T), default};
                    [T, M | _] -> {list_to_integer(T), list_to_integer(M)}
                end,
    N = case N0 of
            default -> ets:lookup_element(?T, {consumed, Kind}, 2) + 1;
            _ -> N0
        end,
    Until = erlang:monotonic_time(millisecond) + Tmo,
    wait_event(Kind, N, Until).

wait_event(Kind, N, Until) ->
    case ets:lookup(?T, {event, Kind, N}) of
        [{_, Text}] ->
            ets:insert(?T, {{consumed, Kind}, N}),
            out(["OK", Kind, "n=" ++ integer_to_list(N), Text]);
        [] ->
            case erlang:monotonic_time(millisecond) >= Until of
                true ->
                    Have = ets:lookup_element(?T, {count, Kind}, 2),
                    out(["TIMEOUT", "wait-" ++ Kind,
                         "n=" ++ integer_to_list(N),
                         "have=" ++ integer_to_list(Have)]);
                false ->
                    timer:sleep(10),
                    wait_event(Kind, N, Until)
            end
    end.

%% ---------------------------------------------------------------------
%% Starting either role.

%% #megaco_receive_handle{local_mid, encoding_mod, encoding_config,
%%                        send_mod, protocol_version}
recv_handle(Mid, SendMod) ->
    RH = megaco:user_info(Mid, receive_handle),
    Enc = case opt(compact) of
              true -> megaco_compact_text_encoder;
              false -> megaco_pretty_text_encoder
          end,
    setelement(5, setelement(4, setelement(3, RH, Enc), []), SendMod).

user_config() ->
    Retry = opt(retry),
    %% UDP (H.248.1 Annex D.1): resend after Retry, doubling, within the
    %% overall --timeout; a gateway answering Pending extends it.
    [{user_mod, ?MODULE}, {protocol_version, 3},
     {request_timer, {megaco_incr_timer, Retry, 2, 0, retries(Retry, opt(timeout))}},
     {long_request_timer, opt(timeout) * 4},
     %% How long a reply is kept to answer a duplicate of its request
     %% (and an ack awaited): a request with a transaction id and MID seen
     %% within this time gets the old reply, and this program never sees
     %% it. A gateway restarting with ids from 1 again runs into it.
     {reply_timer, opt(reply_timer)}].

%% The most resends whose waits (R, 2R, 4R, ...) all fit in Tmo: a
%% request is given up no later than Tmo after it was first sent.
retries(R, Tmo) -> retries(R, Tmo - R, 0).

retries(R, Left, N) when Left >= R * 2 -> retries(R * 2, Left - R * 2, N + 1);
retries(_, _, N) -> N.

start_mgc(O) ->
    {IP, Port0} = maps:get(listen, O, {{127,0,0,1}, 2944}),
    %% Port 0: one free now, printed in READY.
    Port = case Port0 of 0 -> free_udp_port(IP); _ -> Port0 end,
    Mid = case maps:find(mid, O) of
              {ok, M} -> parse_mid(M);
              error -> {ip4Address, {'IP4Address', tuple_to_list(IP), Port}}
          end,
    ok = megaco:start_user(Mid, first_tid(O) ++ user_config()),
    ets:insert(?T, {mid, Mid}),
    Udp = case maps:get(udp, O) of
              true ->
                  {ok, USup} = megaco_udp:start_transport(),
                  case megaco_udp:open(USup, [{port, Port}, {module, ?MODULE},
                                              {receive_handle, recv_handle(Mid, megaco_udp)},
                                              {udp_options, [{ip, IP}]}]) of
                      {ok, _, _} -> ["udp=" ++ inet:ntoa(IP) ++ ":" ++ integer_to_list(Port)];
                      E1 -> log("udp listen: ~p", [E1]), halt(1)
                  end;
              false -> []
          end,
    Tcp = case maps:get(tcp, O) of
              true ->
                  {ok, TSup} = megaco_tcp:start_transport(),
                  case megaco_tcp:listen(TSup, [{port, Port}, {module, ?MODULE},
                                                {receive_handle, recv_handle(Mid, megaco_tcp)},
                                                {tcp_options, [{ip, IP}]}]) of
                      ok -> ["tcp=" ++ inet:ntoa(IP) ++ ":" ++ integer_to_list(Port)];
                      E2 -> log("tcp listen: ~p", [E2]), halt(1)
                  end;
              false -> []
          end,
    out(["READY", "role=mgc", "mid=" ++ mid_str(Mid)] ++ Udp ++ Tcp ++
        ["megaco=" ++ megaco_vsn()]).

%% A peer restarting with transaction ids from 1 again would have its
%% requests taken for repeats by a peer that still keeps its earlier
%% replies (H.248.1 Annex D.1, LONG-TIMER): --first-tid starts elsewhere.
first_tid(O) ->
    case maps:find(first_tid, O) of
        {ok, F} -> [{min_trans_id, F}];
        error -> []
    end.

megaco_vsn() ->
    {ok, V} = application:get_key(megaco, vsn),
    V.

%% The transports hand every message to these (option `module`) instead
%% of megaco's own, so that the ServiceChange handler knows where the
%% message came from: megaco keeps sending on the address a gateway
%% first came from, and a gateway restarted on another port (same MID)
%% would never hear from us again. megaco handles the message in this
%% process and calls the user back from it.
receive_message(RH, Ctl, SH, Bin) ->
    spawn(fun() -> process_received_message(RH, Ctl, SH, Bin) end),
    ok.

process_received_message(RH, Ctl, SH, Bin) ->
    put(tp_peer, {Ctl, SH}),
    megaco:process_received_message(RH, Ctl, SH, Bin).

%% The stand-in gateway: bind, connect to the MGC, register.
start_mg(O) ->
    {MgcIP, MgcPort} = case maps:find(mgc, O) of
                           {ok, A} -> A;
                           error -> usage()
                       end,
    {IP, Port0} = maps:get(listen, O, {{127,0,0,1}, 0}),
    Port = case Port0 of 0 -> free_udp_port(IP); _ -> Port0 end,
    Mid = case maps:find(mid, O) of
              {ok, M} -> parse_mid(M);
              error -> {ip4Address, {'IP4Address', tuple_to_list(IP), Port}}
          end,
    ok = megaco:start_user(Mid, first_tid(O) ++ user_config()),
    ets:insert(?T, [{mid, Mid}, {next_ctx, 0}, {next_term, 0},
                    {next_port, maps:get(port_base, O)}]),
    {SH, CP, Transport} =
        case maps:get(udp, O) of
            true ->
                RH = recv_handle(Mid, megaco_udp),
                {ok, USup} = megaco_udp:start_transport(),
                {ok, Sock, Ctl} = megaco_udp:open(USup, [{port, Port}, {receive_handle, RH},
                                                         {udp_options, [{ip, IP}]}]),
                {megaco_udp:create_send_handle(Sock, MgcIP, MgcPort), Ctl, "udp"};
            false ->
                RH = recv_handle(Mid, megaco_tcp),
                {ok, TSup} = megaco_tcp:start_transport(),
                {ok, S, Ctl} = megaco_tcp:connect(TSup, [{host, MgcIP}, {port, MgcPort},
                                                         {receive_handle, RH}]),
                {S, Ctl, "tcp"}
        end,
    ets:insert(?T, {mg_rh, recv_handle(Mid, case Transport of "udp" -> megaco_udp;
                                                              "tcp" -> megaco_tcp end)}),
    {ok, CH} = megaco:connect(element(2, hd(ets:lookup(?T, mg_rh))),
                              preliminary_mid, SH, CP),
    ets:insert(?T, {conn, CH}),
    out(["READY", "role=mg", "mid=" ++ mid_str(Mid), Transport ++ "=" ++
         inet:ntoa(IP) ++ ":" ++ integer_to_list(Port), "megaco=" ++ megaco_vsn()]),
    mg_register().

free_udp_port(IP) ->
    {ok, S} = gen_udp:open(0, [{ip, IP}]),
    {ok, P} = inet:port(S),
    gen_udp:close(S),
    P.

mg_register() ->
    Prof = case maps:find(profile, element(2, hd(ets:lookup(?T, opts)))) of
               {ok, P} -> ", Profile = " ++ P;
               error -> ""
           end,
    send("Context = - { ServiceChange = ROOT { Services { Method = Restart, "
         "Reason = 901, Version = 3" ++ Prof ++ " } } }").

%% ---------------------------------------------------------------------
%% The command loop.

loop() ->
    case io:get_line(standard_io, "") of
        eof -> stop();
        {error, _} -> stop();
        Line0 ->
            Line = string:trim(Line0, trailing, "\r\n"),
            case catch command(Line) of
                stop -> stop();
                {'EXIT', R} ->
                    log("command ~p: ~p", [Line, R]),
                    out(["BAD", "internal", oneline(io_lib:format("~0p", [R]))]);
                _ -> ok
            end,
            loop()
    end.

stop() ->
    out(["OK", "bye"]),
    %% Tell the peer nothing: a test that wants a clean ServiceChange
    %% sends it. halt() flushes stdout first.
    halt(0).

command(Line) ->
    {Cmd, Rest} = case string:split(string:trim(Line, leading), " ") of
                      [C] -> {C, ""};
                      [C, R] -> {C, R}
                  end,
    Args = string:lexemes(Rest, " "),
    case Cmd of
        "" -> out(["BAD", "empty"]);
        "#" ++ _ -> out(["OK", "comment"]);
        "quit" -> stop;
        "send" -> send(unesc(Rest));
        "audit-root" -> send("Context = - { AuditValue = ROOT { Audit { } } }");
        "raw" -> raw(unesc(Rest));
        "status" -> status();
        "timeout" -> set_opt(timeout, list_to_integer(hd(Args))),
                     out(["OK", "timeout=" ++ hd(Args)]);
        "restart" -> mg_register();
        "notify-error" ->
            %% Answer the next Notifies with this error (off: normally).
            set_opt(notify_error, case hd(Args) of "off" -> off;
                                                   N -> list_to_integer(N) end),
            out(["OK", "notify-error=" ++ hd(Args)]);
        "redirect" ->
            %% The next ServiceChange reply names this MGC to try instead
            %% (ServiceChangeMgcId); once, then off again.
            case hd(Args) of
                "off" -> set_opt(redirect, off), out(["OK", "redirect=off"]);
                M -> case catch parse_mid(M) of
                         {'EXIT', _} -> out(["BAD", "mid", M]);
                         Mid -> set_opt(redirect, Mid), out(["OK", "redirect=" ++ M])
                     end
            end;
        "wait" -> [K | A] = Args, wait_kind(K, A);
        "wait-" ++ K -> wait_kind(K, Args);
        _ -> out(["BAD", "unknown-command", Cmd])
    end.

wait_kind(K, Args) ->
    case lists:member(K, ?KINDS) of
        true -> wait_event(K, Args);
        false -> out(["BAD", "unknown-event", K])
    end.

set_opt(K, V) ->
    [{opts, O}] = ets:lookup(?T, opts),
    ets:insert(?T, {opts, O#{K => V}}).

status() ->
    Counts = [K ++ "=" ++ integer_to_list(ets:lookup_element(?T, {count, K}, 2))
              || K <- ?KINDS],
    Conn = case ets:lookup(?T, conn) of
               [{conn, CH}] -> "peer=" ++ mid_str(element(3, CH));
               [] -> "peer=none"
           end,
    out(["OK", "status", Conn | Counts]).

conn() ->
    case ets:lookup(?T, conn) of
        [{conn, CH}] -> {ok, CH};
        [] -> none
    end.

%% Actions in H.248 text -> megaco's records: wrapped into a whole
%% message and decoded, so that the text is exactly what an MGC would put
%% on the wire, whatever megaco's internal form.
decode_actions(Text) ->
    Msg = iolist_to_binary(["MEGACO/3 [127.0.0.1]:2944\nTransaction = 1 {\n",
                            Text, "\n}"]),
    case catch megaco_pretty_text_encoder:decode_message([], 3, Msg) of
        %% #'MegacoMessage'{mess = #'Message'{messageBody =
        %%   {transactions, [{transactionRequest,
        %%                    #'TransactionRequest'{actions = As}}]}}}
        {ok, {'MegacoMessage', _, {'Message', _, _,
               {transactions, [{transactionRequest,
                                {'TransactionRequest', _, As}}]}}}} -> {ok, As};
        {error, R} -> {error, R};
        {'EXIT', R} -> {error, R};
        Other -> {error, Other}
    end.

%% Replies in text -> #'ActionReply'{} list, same way.
decode_replies(Text) ->
    Msg = iolist_to_binary(["MEGACO/3 [127.0.0.1]:2944\nReply = 1 {\n", Text, "\n}"]),
    case catch megaco_pretty_text_encoder:decode_message([], 3, Msg) of
        {ok, {'MegacoMessage', _, {'Message', _, _,
               {transactions, [{transactionReply,
                                {'TransactionReply', _, _, {actionReplies, Rs}, _, _}}]}}}} ->
            {ok, Rs};
        Other -> {error, Other}
    end.

short_error(R) ->
    oneline(lists:flatten(io_lib:format("~0p", [R]))).

send(Text) ->
    case {conn(), decode_actions(Text)} of
        {none, _} -> out(["BAD", "not-registered"]);
        {_, {error, R}} -> out(["BAD", "syntax", short_error(R)]);
        {{ok, CH}, {ok, Actions}} ->
            Tid = next_tid(CH),
            Opts = [{request_timer, request_timer()}],
            dbg("call ~p", [Actions]),
            case catch megaco:call(CH, Actions, Opts) of
                {_PV, Result} -> print_result(Tid, Result);
                Other -> out(["TIMEOUT", Tid, short_error(Other)])
            end
    end.

request_timer() ->
    R = opt(retry),
    {megaco_incr_timer, R, 2, 0, retries(R, opt(timeout))}.

%% megaco numbers transactions per connection itself and does not hand
%% the number to call/3; it is the last one it used plus one (we are the
%% only sender on the connection).
next_tid(CH) ->
    case catch megaco:conn_info(CH, trans_id) of
        N when is_integer(N) -> integer_to_list(N);
        _ -> "?"
    end.

print_result(Tid, {ok, Replies}) when is_list(Replies) ->
    Text = oneline([encode_reply(R) || R <- Replies]),
    case [ED || {'ActionReply', _, ED, _, _} <- Replies, ED =/= ?NOVAL] of
        [] ->
            Ctx = lists:join(",", [ctx_str(element(2, R)) || R <- Replies]),
            out(["REPLY", Tid, "ctx=" ++ lists:flatten(Ctx), Text]);
        [{'ErrorDescriptor', Code, _} | _] ->
            out(["ERROR", Tid, integer_to_list(Code), Text])
    end;
print_result(Tid, {ok, Replies, _ReplyData}) ->
    print_result(Tid, {ok, Replies});
print_result(Tid, {error, {'ErrorDescriptor', Code, ErrText}}) ->
    T = case ErrText of ?NOVAL -> ""; _ -> ErrText end,
    out(["ERROR", Tid, integer_to_list(Code),
         oneline(["Error = ", integer_to_list(Code), " { \"", T, "\" }"])]);
print_result(Tid, {error, timeout}) ->
    out(["TIMEOUT", Tid, "no-reply"]);
print_result(Tid, {error, R}) ->
    out(["TIMEOUT", Tid, short_error(R)]);
print_result(Tid, Other) ->
    out(["TIMEOUT", Tid, short_error(Other)]).

encode_reply(R) ->
    case catch megaco_pretty_text_encoder:encode_action_reply([], 3, R) of
        {ok, B} -> [B, " "];
        B when is_binary(B) -> [B, " "];
        E -> io_lib:format("~0p ", [{unencodable, E, R}])
    end.

encode_requests(As) ->
    case catch megaco_pretty_text_encoder:encode_action_requests([], 3, As) of
        {ok, B} -> oneline(B);
        E -> short_error({unencodable, E, As})
    end.

%% Bytes to the peer as they are, outside megaco's transactions: for
%% malformed or hand-made messages. What comes back arrives as an event
%% (unexpected, msgerror, syntax).
raw(Text) ->
    case conn() of
        none -> out(["BAD", "not-registered"]);
        {ok, CH} ->
            SendMod = megaco:conn_info(CH, send_mod),
            SH = megaco:conn_info(CH, send_handle),
            Bin = list_to_binary(Text),
            case SendMod:send_message(SH, Bin) of
                ok -> out(["OK", "sent", "bytes=" ++ integer_to_list(byte_size(Bin))]);
                E -> out(["TIMEOUT", "raw", short_error(E)])
            end
    end.

%% ---------------------------------------------------------------------
%% megaco_user callbacks (both roles).

handle_connect(CH, PV) ->
    dbg("connect ~p v~p", [CH, PV]),
    %% The gateway connects to `preliminary_mid`; megaco makes a second
    %% connection named after the MGC's MID once the ServiceChange reply
    %% arrives, and that is the one to send on.
    case {opt(mg), element(3, CH)} of
        {true, preliminary_mid} -> ok;
        {true, _} -> ets:insert(?T, {conn, CH});
        {false, _} -> ok
    end,
    ok.

handle_disconnect(CH, _PV, Reason) ->
    megaco:cancel(CH, Reason),
    case ets:lookup(?T, conn) of
        [{conn, CH}] -> ets:delete(?T, conn);
        _ -> ok
    end,
    event("disconnected", "peer=" ++ mid_str(element(3, CH)) ++ " " ++ short_error(Reason)),
    ok.

handle_syntax_error(_RH, _PV, {'ErrorDescriptor', Code, Text}) ->
    event("syntax", integer_to_list(Code) ++ " " ++ oneline(txt(Text))),
    reply;
handle_syntax_error(_RH, _PV, ED) ->
    event("syntax", short_error(ED)),
    reply.

handle_message_error(_CH, _PV, {'ErrorDescriptor', Code, Text}) ->
    event("msgerror", integer_to_list(Code) ++ " " ++ oneline(txt(Text))),
    no_reply;
handle_message_error(_CH, _PV, ED) ->
    event("msgerror", short_error(ED)),
    no_reply.

txt(?NOVAL) -> "";
txt(T) -> T.

handle_trans_request(CH, PV, Actions) ->
    dbg("request ~p", [Actions]),
    case catch trans_request(opt(mg), CH, PV, Actions) of
        {'EXIT', R} ->
            log("request handling failed: ~p", [R]),
            {discard_ack, {'ErrorDescriptor', 500, "internal error in the test program"}};
        Res -> Res
    end.

handle_trans_long_request(_CH, _PV, _Data) ->
    {discard_ack, {'ErrorDescriptor', 500, "not expected"}}.

handle_trans_reply(_CH, _PV, _Reply, _Data) -> ok.
handle_trans_ack(_CH, _PV, _Status, _Data) -> ok.

handle_unexpected_trans(_CH, PV, Trans) ->
    %% A #'TransactionReply'{} (or Pending, Request): the encoder wants
    %% it tagged as in a message body.
    Tag = case element(1, Trans) of
              'TransactionReply' -> transactionReply;
              'TransactionPending' -> transactionPending;
              'TransactionRequest' -> transactionRequest;
              'TransactionAck' -> transactionResponseAck;
              T -> T
          end,
    Text = case catch megaco_pretty_text_encoder:encode_transaction([], PV, {Tag, Trans}) of
               {ok, B} -> oneline(B);
               _ -> short_error(Trans)
           end,
    event("unexpected", Text),
    ok.

handle_trans_request_abort(_CH, _PV, _Tid, _Pid) -> ok.
handle_segment_reject(_CH, _PV, _Tid, _Seg, _Data) -> ok.

%% The MGC's side: accept registrations, answer Notify, refuse the rest.
trans_request(false, CH, PV, Actions) ->
    case Actions of
        %% #'ActionRequest'{contextId, contextRequest, contextAttrAuditReq,
        %%                  commandRequests}
        %% #'CommandRequest'{command, optional, wildcardReturn}
        [{'ActionRequest', ?NULL_CTX, _, _,
          [{'CommandRequest', {serviceChangeReq, SCR}, _, _}]}] ->
            service_change(CH, PV, SCR);
        _ ->
            Notifies = [{Ctx, [C || {'CommandRequest', {notifyReq, _} = C, _, _} <- Cmds]}
                        || {'ActionRequest', Ctx, _, _, Cmds} <- Actions],
            AllNotify = lists:all(fun({_, Ns}) -> Ns =/= [] end, Notifies) andalso
                length([x || {'ActionRequest', _, _, _, Cmds} <- Actions,
                             {'CommandRequest', _, _, _} <- Cmds]) ==
                lists:sum([length(Ns) || {_, Ns} <- Notifies]),
            Text = encode_requests(Actions),
            case {AllNotify, opt(notify_error)} of
                {true, Code} when is_integer(Code) ->
                    event("notify", Text),
                    {discard_ack, {'ErrorDescriptor', Code, "test MGC told to refuse Notify"}};
                {true, off} ->
                    event("notify", Text),
                    %% #'NotifyReply'{terminationID, errorDescriptor}
                    %% #'ActionReply'{contextId, errorDescriptor,
                    %%                contextReply, commandReply}
                    {discard_ack,
                     [{'ActionReply', Ctx, ?NOVAL, ?NOVAL,
                       [{notifyReply, {'NotifyReply', element(2, NR), ?NOVAL}}
                        || {notifyReq, NR} <- Ns]}
                      || {Ctx, Ns} <- Notifies]};
                {false, _} ->
                    event("request", Text),
                    {discard_ack, {'ErrorDescriptor', 501,
                                   "this test MGC takes ServiceChange and Notify only"}}
            end
    end;
trans_request(true, CH, PV, Actions) ->
    mg_request(CH, PV, Actions).

%% #'ServiceChangeRequest'{terminationID, serviceChangeParms}
%% #'ServiceChangeParm'{serviceChangeMethod, serviceChangeAddress,
%%   serviceChangeVersion, serviceChangeProfile, serviceChangeReason,
%%   serviceChangeDelay, serviceChangeMgcId, timeStamp, ...}
service_change(CH, _PV, {'ServiceChangeRequest', Tids, Parm}) ->
    Method = element(2, Parm),
    Version = element(4, Parm),
    Profile = element(5, Parm),
    Reason = case element(6, Parm) of [R | _] -> R; _ -> "" end,
    IsRoot = [term_str(T) || T <- Tids] == ["root"],
    Peer = mid_str(element(3, CH)),
    case IsRoot of
        true ->
            follow_peer(CH),
            ets:insert(?T, {conn, CH}),
            event("registered", string:join(
                    ["peer=" ++ Peer, "method=" ++ atom_to_list(Method),
                     "reason=" ++ Reason,
                     "version=" ++ case Version of ?NOVAL -> "none";
                                                   V -> integer_to_list(V) end,
                     "profile=" ++ profile_str(Profile)], " ")),
            %% No ServiceChangeMgcId (it tells the gateway to go to
            %% another controller) unless `redirect` asked for it, once.
            %% Version and profile echoed, as accepted.
            %% #'ServiceChangeResParm'{serviceChangeMgcId,
            %%   serviceChangeAddress, serviceChangeVersion,
            %%   serviceChangeProfile, timeStamp}
            MgcId = case opt(redirect) of
                        off -> ?NOVAL;
                        To -> set_opt(redirect, off), To
                    end,
            Res = {serviceChangeResParms,
                   {'ServiceChangeResParm', MgcId, ?NOVAL,
                    case Version of ?NOVAL -> ?NOVAL; _ -> min(Version, 3) end,
                    Profile, ?NOVAL}},
            {discard_ack, [{'ActionReply', ?NULL_CTX, ?NOVAL, ?NOVAL,
                            [{serviceChangeReply, {'ServiceChangeReply', Tids, Res}}]}]};
        false ->
            event("request", "ServiceChange of " ++ lists:join(",", [term_str(T) || T <- Tids])
                  ++ " method=" ++ atom_to_list(Method)),
            {discard_ack, [{'ActionReply', ?NULL_CTX, ?NOVAL, ?NOVAL,
                            [{serviceChangeReply, {'ServiceChangeReply', Tids, {serviceChangeResParms,
                               {'ServiceChangeResParm', ?NOVAL, ?NOVAL, ?NOVAL, ?NOVAL, ?NOVAL}}}}]}]}
    end.

follow_peer(CH) ->
    case get(tp_peer) of
        {Ctl, SH} ->
            case catch megaco:conn_info(CH, send_handle) of
                SH -> ok;
                Old ->
                    log("~s registers from a new address: ~p (was ~p)",
                        [mid_str(element(3, CH)), SH, Old]),
                    megaco:update_conn_info(CH, send_handle, SH),
                    megaco:update_conn_info(CH, control_pid, Ctl)
            end;
        undefined -> ok
    end.

profile_str(?NOVAL) -> "none";
profile_str({'ServiceChangeProfile', N, V}) -> N ++ "/" ++ integer_to_list(V).

%% ---------------------------------------------------------------------
%% The stand-in gateway's answers. Contexts and terminations are only
%% numbers in an ets table; the replies are written as H.248 text and
%% decoded, like the MGC's requests.

mg_request(_CH, _PV, Actions) ->
    Texts = [mg_action(A) || A <- Actions],
    case decode_replies(lists:join(",\n", Texts)) of
        {ok, Rs} -> {discard_ack, Rs};
        Err ->
            log("stand-in reply does not decode: ~p~n~s", [Err, Texts]),
            {discard_ack, {'ErrorDescriptor', 500, "stand-in reply does not decode"}}
    end.

mg_action({'ActionRequest', Ctx0, _, _, Cmds}) ->
    Ctx = case Ctx0 of
              ?CHOOSE_CTX -> {new, ets:update_counter(?T, next_ctx, 1)};
              ?NULL_CTX -> {old, ?NULL_CTX};
              N -> case ets:lookup(?T, {ctx, N}) of
                       [_] -> {old, N};
                       [] -> {missing, N}
                   end
          end,
    case Ctx of
        {missing, M} ->
            ["Context = ", ctx_str(M), " { Error = 411 { \"unknown context\" } }"];
        {How, C} ->
            How == new andalso ets:insert(?T, {{ctx, C}, []}),
            Replies = [mg_command(C, Cmd) || {'CommandRequest', Cmd, _, _} <- Cmds],
            case [E || {error, E} <- Replies] of
                [] -> ["Context = ", ctx_str(C), " { ", lists:join(", ", Replies), " }"];
                [E | _] -> ["Context = ", ctx_str(C), " { ", E, " }"]
            end
    end.

%% #'AmmRequest'{terminationID, descriptors}
mg_command(C, {addReq, {'AmmRequest', [Tid], Descs}}) ->
    T = case Tid of
            {megaco_term_id, true, ["$"]} ->
                "tp/" ++ integer_to_list(ets:update_counter(?T, next_term, 1));
            _ -> term_str(Tid)
        end,
    ets:insert(?T, {{ctx, C}, [T | ets:lookup_element(?T, {ctx, C}, 2)]}),
    ["Add = ", T, media_reply(Descs)];
mg_command(C, {modReq, {'AmmRequest', [Tid], Descs}}) ->
    T = term_str(Tid),
    case lists:member(T, ets:lookup_element(?T, {ctx, C}, 2)) of
        true -> ["Modify = ", T, media_reply(Descs)];
        false -> {error, "Error = 435 { \"termination not in this context\" }"}
    end;
%% #'SubtractRequest'{terminationID, auditDescriptor}
mg_command(C, {subtractReq, {'SubtractRequest', [Tid], _}}) ->
    T = term_str(Tid),
    Terms = ets:lookup_element(?T, {ctx, C}, 2),
    Gone = case T of "*" -> Terms; _ -> [X || X <- Terms, X == T] end,
    case Gone of
        [] -> {error, "Error = 435 { \"termination not in this context\" }"};
        _ ->
            Left = Terms -- Gone,
            case Left of
                [] -> ets:delete(?T, {ctx, C});
                _ -> ets:insert(?T, {{ctx, C}, Left})
            end,
            lists:join(", ", [["Subtract = ", G, " { Statistics { nt/os = 0, nt/or = 0 } }"]
                              || G <- Gone])
    end;
%% #'AuditRequest'{terminationID, auditDescriptor, ...}
mg_command(_C, {auditValueRequest, {'AuditRequest', {megaco_term_id, _, ["root"]}, _, _}}) ->
    "AuditValue = ROOT { Packages { g-1, nt-1 } }";
mg_command(_C, {auditValueRequest, {'AuditRequest', Tid, _, _}}) ->
    ["AuditValue = ", term_str(Tid)];
mg_command(_C, {serviceChangeReq, {'ServiceChangeRequest', Tids, _}}) ->
    ["ServiceChange = ", term_str(hd(Tids))];
mg_command(_C, Cmd) ->
    {error, ["Error = 501 { \"stand-in: ", atom_to_list(element(1, Cmd)), "\" }"]}.

%% Local descriptors come back with our choices filled in: our address
%% in c=, a port for `$` in m=, a fingerprint for TLS media.
%% #'MediaDescriptor'{termStateDescr, streams}
%% #'StreamDescriptor'{streamID, streamParms}
%% #'StreamParms'{localControlDescriptor, localDescriptor, remoteDescriptor, ...}
%% #'LocalRemoteDescriptor'{propGrps}   #'PropertyParm'{name, value, ...}
media_reply(Descs) ->
    Streams = [S || {mediaDescriptor, {'MediaDescriptor', _, {multiStream, Ss}}} <- Descs,
                    S <- Ss],
    Locals = [[Id, Local] || {'StreamDescriptor', Id, SP} <- Streams,
                              {'LocalRemoteDescriptor', [Local | _]} <- [element(3, SP)]],
    case Locals of
        [] -> "";
        _ -> [" { Media { ",
              lists:join(", ", [["Stream = ", integer_to_list(Id), " { Local {\n",
                                 [sdp_line(P) || P <- Props], "} }"]
                                || [Id, Props] <- Locals]),
              " } }"]
    end.

sdp_line({'PropertyParm', "c", _, _}) ->
    "c=IN IP4 127.0.0.1\r\n";
sdp_line({'PropertyParm', "m", [M], _}) ->
    Port = integer_to_list(ets:update_counter(?T, next_port, 1)),
    M2 = re:replace(M, "^(\\S+) \\$ ", "\\1 " ++ Port ++ " ", [{return, list}]),
    Fp = case string:find(M2, "TLS") of
             nomatch -> "";
             _ -> "a=fingerprint:sha-256 " ++ fake_fingerprint() ++ "\r\n"
         end,
    ["m=", M2, "\r\n", Fp];
sdp_line({'PropertyParm', "a", ["fingerprint:" ++ _], _}) -> "";
sdp_line({'PropertyParm', N, [V | _], _}) -> [N, "=", V, "\r\n"].

fake_fingerprint() ->
    lists:flatten(lists:join(":", [io_lib:format("~2.16.0B", [B rem 256])
                                   || B <- lists:seq(1, 32)])).
