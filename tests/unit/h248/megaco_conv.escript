#!/usr/bin/env escript
%% SPDX-License-Identifier: BSD-3-Clause
%%
%% Regenerates megaco_{pretty,compact}_<name>.txt from hand_<name>.txt
%% with Erlang/OTP's megaco (Debian erlang-megaco): each hand-written
%% message is read by megaco's own text decoder (so a message megaco
%% refuses is reported here) and written by its pretty and compact
%% encoders, the texts another H.248 stack sends us.
%%   cd tests/unit/h248 && escript megaco_conv.escript hand_*.txt
%% Not converted: hand_auth_device.txt (megaco writes the sequence number
%% and authentication data with the wrong number of digits) and
%% hand_segment_reply.txt (megaco's scanner refuses a segment reply
%% followed by a line end).
-mode(compile).

main(Files) ->
    lists:foreach(fun conv/1, Files).

conv("hand_" ++ Name = File) ->
    {ok, Bin} = file:read_file(File),
    case megaco_pretty_text_encoder:decode_message([], dynamic, Bin) of
        {ok, Msg} ->
            lists:foreach(
              fun(E) ->
                      {ok, Out} = (list_to_atom("megaco_" ++ E ++ "_text_encoder")):encode_message([], 3, Msg),
                      ok = file:write_file("megaco_" ++ E ++ "_" ++ Name, Out)
              end, ["pretty", "compact"]);
        Err ->
            io:format(standard_error, "~s: megaco refuses it: ~p~n", [File, Err])
    end;
conv(File) ->
    io:format(standard_error, "~s: not a hand_<name>.txt~n", [File]).
