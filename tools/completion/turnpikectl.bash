# SPDX-License-Identifier: BSD-3-Clause
# bash completion for turnpikectl (installed by meson install into
# bash-completion's completions folder).
_turnpikectl()
{
	local cur prev words cword
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local globals="--help --version --json --socket --config"
	local commands="status ready allocations kill tenants users secrets psk top reload drain undrain ha agw events stun fingerprint aka-token"

	case $prev in
	--socket|-s)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--config|-c|--cert)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--alg|--fingerprint-alg)
		COMPREPLY=($(compgen -W "sha-1 sha-256 sha-384 sha-512" -- "$cur")); return ;;
	--algorithm)
		# a REST secret's HMAC (secrets add)
		COMPREPLY=($(compgen -W "sha1 sha256" -- "$cur")); return ;;
	--until)
		COMPREPLY=($(compgen -W "leg_up leg_down released subtracted" -- "$cur")); return ;;
	--a|--b|--label|--setup-timeout|--after|--id|--timeout|--leg|--term|--remote|--fp|--dscp|--police-rate|--police-burst)
		return ;;
	--ik|--verify)
		return ;;
	--tenant|-t)
		# the running configuration's (cp's socket readable: an operator)
		COMPREPLY=($(compgen -W "$(turnpikectl tenants 2>/dev/null | awk 'NR > 1 { print $1 }')" -- "$cur"))
		return ;;
	esac
	# the command: the first word after turnpikectl that is not an option
	# (or the argument of one)
	local i cmd= sub= skip=0
	for ((i = 1; i < COMP_CWORD; i++)); do
		if ((skip)); then skip=0; continue; fi
		case ${COMP_WORDS[i]} in
		--socket|-s|--config|-c) skip=1 ;;
		-*) ;;
		*) if [ -z "$cmd" ]; then cmd=${COMP_WORDS[i]}; elif [ -z "$sub" ]; then sub=${COMP_WORDS[i]}; fi ;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$commands $globals" -- "$cur")); return
	fi
	case $cmd in
	users)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "add del list import-coturn" -- "$cur"))
		elif [ "$sub" = import-coturn ]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	secrets)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "add del list" -- "$cur"))
		elif [ "$sub" = add ]; then
			COMPREPLY=($(compgen -W "--algorithm --tenant --help" -- "$cur"))
		fi ;;
	psk)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "add del list" -- "$cur"))
		elif [ "$sub" = add ]; then
			COMPREPLY=($(compgen -W "--key-hex --cipher --help" -- "$cur"))
		fi ;;
	stun)
		[ -z "$sub" ] && COMPREPLY=($(compgen -W "decode" -- "$cur")) ;;
	ha)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "switchover --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--help" -- "$cur"))
		fi ;;
	agw)
		if [ -z "$sub" ]; then
			COMPREPLY=($(compgen -W "create add-leg modify-leg subtract-leg list show release" -- "$cur"))
		elif [ "$sub" = create ]; then
			COMPREPLY=($(compgen -W "--a --b --setup-timeout --label --fingerprint-alg --tenant --help" -- "$cur"))
		elif [ "$sub" = add-leg ]; then
			COMPREPLY=($(compgen -W "--leg --term --setup-timeout --fingerprint-alg --help" -- "$cur"))
		elif [ "$sub" = modify-leg ]; then
			COMPREPLY=($(compgen -W "--leg --remote --fp --dscp --police-rate --police-burst --no-police --help" -- "$cur"))
		elif [ "$sub" = subtract-leg ]; then
			COMPREPLY=($(compgen -W "--leg --help" -- "$cur"))
		fi ;;
	events)
		COMPREPLY=($(compgen -W "--follow --after --id --until --timeout --json --help" -- "$cur")) ;;
	drain)
		COMPREPLY=($(compgen -W "--alternate --help" -- "$cur")) ;;
	ready)
		COMPREPLY=($(compgen -W "--wait --help" -- "$cur")) ;;
	allocations)
		COMPREPLY=($(compgen -W "--user --tenant --cluster --help" -- "$cur")) ;;
	top)
		COMPREPLY=($(compgen -W "--interval --count --help" -- "$cur")) ;;
	fingerprint)
		COMPREPLY=($(compgen -W "--cert --alg --json --help" -- "$cur")) ;;
	aka-token)
		COMPREPLY=($(compgen -W "--ik --cert --verify --json --help" -- "$cur")) ;;
	*)
		COMPREPLY=($(compgen -W "--help --json" -- "$cur")) ;;
	esac
}
complete -F _turnpikectl turnpikectl
