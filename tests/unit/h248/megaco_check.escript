#!/usr/bin/env escript
%% SPDX-License-Identifier: BSD-3-Clause
%%
%% Reads each file given with Erlang/OTP megaco's text decoder (a stack
%% no one here wrote); prints the files it refuses and exits 1 if any.
%% tests/unit/test_h248.c runs it on what lib/h248's writer produced.
-mode(compile).

main(Files) ->
    Bad = [F || F <- Files, not decodes(F)],
    lists:foreach(fun(F) -> io:format("megaco refuses ~s~n", [F]) end, Bad),
    halt(case Bad of [] -> 0; _ -> 1 end).

decodes(File) ->
    {ok, Bin} = file:read_file(File),
    case megaco_pretty_text_encoder:decode_message([], dynamic, Bin) of
        {ok, _} -> true;
        Err -> io:format(standard_error, "~s: ~p~n", [File, Err]), false
    end.
