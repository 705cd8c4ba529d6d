# SPDX-License-Identifier: GPL-3.0-or-later
# bash completion for latentlab: commands, their options (read from `latentlab COMMAND
# --help`, so they stay current), presets, built-in datasets and files.
_latentlab()
{
    local cur prev cmd words_help
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cmd=${COMP_WORDS[1]}
    case $prev in
        --preset)
            COMPREPLY=($(compgen -W "undercomplete sparse contractive denoising vae linear conv sequence conv-vae photo-denoiser" -- "$cur"))
            return ;;
        --data)
            COMPREPLY=($(compgen -W "digits fashion sines ecg" -- "$cur") $(compgen -f -- "$cur"))
            return ;;
        --view)
            COMPREPLY=($(compgen -W "training latent generate denoise anomaly inside pca sequence" -- "$cur"))
            return ;;
        --channels)
            COMPREPLY=($(compgen -W "1 3" -- "$cur"))
            return ;;
        --split)
            COMPREPLY=($(compgen -W "test train all" -- "$cur"))
            return ;;
        --sequence-layer)
            COMPREPLY=($(compgen -W "conv lstm" -- "$cur"))
            return ;;
        --activation)
            COMPREPLY=($(compgen -W "identity relu leaky-relu tanh sigmoid" -- "$cur"))
            return ;;
        --loss)
            COMPREPLY=($(compgen -W "mse bce l1" -- "$cur"))
            return ;;
        --optimizer)
            COMPREPLY=($(compgen -W "adam sgd" -- "$cur"))
            return ;;
        --format)
            COMPREPLY=($(compgen -W "safetensors" -- "$cur"))
            return ;;
        --lesson)
            # the window's option: a bundled lesson's name or a file
            COMPREPLY=($(compgen -W "$(latentlab lesson --list 2>/dev/null | cut -f1)" -- "$cur") $(compgen -f -- "$cur"))
            return ;;
        --save|--session|--out|--in|--noisy-out)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
    esac
    if [[ $COMP_CWORD -eq 1 ]]; then
        local commands
        commands=$(latentlab --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
        if [[ $cur == -* ]]; then
            words_help=$(latentlab --help 2>/dev/null | grep -o -- '^  --[a-z-]*')
            COMPREPLY=($(compgen -W "$words_help --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands help" -- "$cur") $(compgen -f -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        if [[ $cmd == -* ]]; then
            words_help=$(latentlab --help 2>/dev/null | grep -o -- '^  --[a-z-]*')
        else
            words_help=$(latentlab "$cmd" --help 2>/dev/null | grep -o -- '^  --[a-z-]*')
        fi
        COMPREPLY=($(compgen -W "$words_help" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _latentlab latentlab
