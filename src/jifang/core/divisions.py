"""Kunming and its 14 county-level divisions (GB/T 2260). The registry holds only these."""

CITY_CODE = "530100"
CITY_NAME = "昆明市"

DISTRICTS = {
    "530102": "五华区",
    "530103": "盘龙区",
    "530111": "官渡区",
    "530112": "西山区",
    "530113": "东川区",
    "530114": "呈贡区",
    "530115": "晋宁区",
    "530124": "富民县",
    "530125": "宜良县",
    "530126": "石林彝族自治县",
    "530127": "嵩明县",
    "530128": "禄劝彝族苗族自治县",
    "530129": "寻甸回族彝族自治县",
    "530181": "安宁市",
}

DISTRICTS_EN = {
    "530102": "Wuhua District",
    "530103": "Panlong District",
    "530111": "Guandu District",
    "530112": "Xishan District",
    "530113": "Dongchuan District",
    "530114": "Chenggong District",
    "530115": "Jinning District",
    "530124": "Fumin County",
    "530125": "Yiliang County",
    "530126": "Shilin Yi Autonomous County",
    "530127": "Songming County",
    "530128": "Luquan Yi and Miao Autonomous County",
    "530129": "Xundian Hui and Yi Autonomous County",
    "530181": "Anning City",
}
